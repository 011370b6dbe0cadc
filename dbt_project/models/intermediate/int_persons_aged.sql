-- One row per person: age and ten-year age band on the build day (var as_of), and the county
-- the person lives in (residence where known, else domicile) with its name.
with persons as (
    select * from {{ ref('stg_base__persons') }}
),

divisions as (
    select * from {{ ref('stg_base__divisions') }}
),

aged as (
    select
        person_id,
        sex_code,
        birth_date,
        coalesce(residence_county_code, domicile_county_code) as county_code,
        {{ age_in_years('birth_date', "cast('" ~ var('as_of') ~ "' as date)") }} as age
    from persons
)

select
    aged.person_id,
    aged.sex_code,
    aged.birth_date,
    aged.age,
    {{ age_band('aged.age') }} as age_band,
    aged.county_code,
    divisions.division_full_name as county_name
from aged
left join divisions on aged.county_code = divisions.division_code
