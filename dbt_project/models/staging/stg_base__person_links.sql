-- One row per mention of a person in a department's row, and the person it went to.
with source as (
    select * from {{ source('base', 'population_links') }}
),

renamed as (
    select
        mention_id,
        dataset,
        batch_id,
        row_number,
        role as mention_role,
        entity_id as person_id,
        status as link_status
    from source
)

select * from renamed
