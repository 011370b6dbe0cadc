-- One row per person of the population base (golden record).
with source as (
    select * from {{ source('base', 'population') }}
),

renamed as (
    select
        person_id,
        resident_id,
        name as person_name,
        sex as sex_code,
        birth_date,
        domicile_division as domicile_county_code,
        residence_division as residence_county_code,
        marital_status
    from source
)

select * from renamed
