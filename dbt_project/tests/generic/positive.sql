{#- A count column of an aggregate mart: every value is at least 1 (an empty cell is no row). -#}
{% test positive(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null or {{ column_name }} < 1
{% endtest %}
