{#- Models go to the schema their folder names (`build` for staging and intermediate views,
    `theme` for marts), not `<target schema>_<name>`: `jutong themes build` reads the marts
    from `theme`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
