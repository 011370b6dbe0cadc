{#- Whole years from `birth` to `on_day` (a birthday counts on its day; 29 February births
    turn a year older on 1 March in common years). -#}
{% macro age_in_years(birth, on_day) -%}
    (date_diff('year', {{ birth }}, {{ on_day }})
        - case when strftime({{ on_day }}, '%m%d') < strftime({{ birth }}, '%m%d') then 1 else 0 end)
{%- endmacro %}

{#- Ten-year age band label ('00-09' … '70-79', '80+'); null for an unknown age. -#}
{% macro age_band(age) -%}
    case
        when {{ age }} is null or {{ age }} < 0 then null
        when {{ age }} >= 80 then '80+'
        else lpad(cast(({{ age }} // 10) * 10 as varchar), 2, '0') || '-'
            || lpad(cast(({{ age }} // 10) * 10 + 9 as varchar), 2, '0')
    end
{%- endmacro %}
