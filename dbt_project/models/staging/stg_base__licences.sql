-- One row per licence of the e-licence base, with its resolved holder and state.
with source as (
    select * from {{ source('base', 'e_license') }}
),

renamed as (
    select
        license_no,
        license_type,
        holder_kind,
        holder_person_id,
        holder_org_id,
        holder_found,
        issuer,
        issued_on,
        valid_until,
        status as license_status
    from source
)

select * from renamed
