-- One row per marriage, divorce or reissue registration delivered by 民政 (exact copies left out).
with source as (
    select * from {{ source('minzheng', 'hunyin') }}
),

renamed as (
    select
        'minzheng.hunyin' as dataset,
        _batch_id as batch_id,
        _row_number as row_number,
        certificate_no,
        registration_type,
        registered_on,
        registry_office
    from source
    where _duplicate_of is null
)

select * from renamed
