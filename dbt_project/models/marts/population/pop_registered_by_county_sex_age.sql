-- 人口 · Registered population (户籍人口) per domicile county, sex and five-year age band on
-- the build day (var as_of). Grain: one row per (county_code, sex_code, age_band). The open
-- release population_by_county_sex_age reads this mart (catalog/releases/), summing
-- `residents` and suppressing small cells; analysts read it as it is.
with persons as (
    select * from {{ ref('stg_base__persons') }}
),

aged as (
    select
        person_id,
        coalesce(domicile_county_code, 'unknown') as county_code,
        coalesce(sex_code, 'unknown') as sex_code,
        {{ age_in_years('birth_date', "cast('" ~ var('as_of') ~ "' as date)") }} as age
    from persons
),

divisions as (
    select * from {{ ref('stg_base__divisions') }}
)

select
    aged.county_code,
    max(divisions.division_full_name) as county_name,
    aged.sex_code,
    coalesce({{ age_band_5y('aged.age') }}, 'unknown') as age_band,
    cast(count(*) as bigint) as residents,
    cast('{{ var("as_of") }}' as date) as counted_on
from aged
left join divisions on aged.county_code = divisions.division_code
group by aged.county_code, aged.sex_code, 4
