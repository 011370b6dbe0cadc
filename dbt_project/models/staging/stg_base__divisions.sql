-- One row per administrative division (province, city, county; abolished codes included).
with source as (
    select * from {{ source('base', 'spatial_division') }}
),

renamed as (
    select
        division_code,
        name as division_name,
        full_name as division_full_name,
        level as division_level,
        city_code,
        status as division_status
    from source
)

select * from renamed
