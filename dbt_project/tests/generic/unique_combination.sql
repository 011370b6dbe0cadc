{#- The grain of an aggregate mart: no two rows share the values of `columns`
    (written here: the project downloads no dbt packages). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
