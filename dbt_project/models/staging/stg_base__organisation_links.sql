-- One row per mention of an organisation in a department's row, and the organisation it went to.
with source as (
    select * from {{ source('base', 'legal_entity_links') }}
),

renamed as (
    select
        mention_id,
        dataset,
        batch_id,
        row_number,
        role as mention_role,
        entity_id as org_id,
        status as link_status
    from source
)

select * from renamed
