-- One row per land parcel of the spatial base, with its resolved holder.
with source as (
    select * from {{ source('base', 'spatial_parcel') }}
),

renamed as (
    select
        parcel_code,
        division_code as county_code,
        area_m2,
        land_use,
        holder_kind,
        holder_person_id,
        holder_org_id,
        holder_found,
        holder_reason
    from source
)

select * from renamed
