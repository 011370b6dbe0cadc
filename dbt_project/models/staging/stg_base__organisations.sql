-- One row per organisation of the legal-entity base (golden record).
with source as (
    select * from {{ source('base', 'legal_entity') }}
),

renamed as (
    select
        org_id,
        uscc,
        org_name,
        org_type,
        registered_division as county_code,
        registered_capital as registered_capital_10k_yuan,
        established_on,
        status as registration_status
    from source
)

select * from renamed
