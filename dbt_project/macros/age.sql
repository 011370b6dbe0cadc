{#- Portable across the project's engines (DuckDB embedded, Spark at scale): only functions
    both have, and dbt's cross-database macros. -#}

{#- Month and day of a date as 'MMDD' text, to compare birthdays. -#}
{% macro month_day(d) -%}
    {{ return(adapter.dispatch('month_day', 'jutong_themes')(d)) }}
{%- endmacro %}

{% macro default__month_day(d) -%}
    strftime({{ d }}, '%m%d')
{%- endmacro %}

{% macro spark__month_day(d) -%}
    date_format({{ d }}, 'MMdd')
{%- endmacro %}

{#- Whole years from `birth` to `on_day` (a birthday counts on its day; 29 February births
    turn a year older on 1 March in common years). -#}
{% macro age_in_years(birth, on_day) -%}
    (year({{ on_day }}) - year({{ birth }})
        - case when {{ month_day(on_day) }} < {{ month_day(birth) }} then 1 else 0 end)
{%- endmacro %}

{#- Ten-year age band label ('00-09' … '70-79', '80+'); null for an unknown age. -#}
{% macro age_band(age) -%}
    case
        when {{ age }} is null or {{ age }} < 0 then null
        when {{ age }} >= 80 then '80+'
        else lpad(cast(cast(floor({{ age }} / 10) * 10 as integer) as {{ dbt.type_string() }}), 2, '0')
            || '-'
            || lpad(cast(cast(floor({{ age }} / 10) * 10 + 9 as integer) as {{ dbt.type_string() }}), 2, '0')
    end
{%- endmacro %}

{#- Five-year age band label as the open releases write it ('0-4', '5-9' … '80-84', '85+');
    null for an unknown age (masking.columns.age_band, GX-Open art. 19 statistics). -#}
{% macro age_band_5y(age) -%}
    case
        when {{ age }} is null or {{ age }} < 0 then null
        when {{ age }} >= 85 then '85+'
        else cast(cast(floor({{ age }} / 5) * 5 as integer) as {{ dbt.type_string() }})
            || '-'
            || cast(cast(floor({{ age }} / 5) * 5 + 4 as integer) as {{ dbt.type_string() }})
    end
{%- endmacro %}
