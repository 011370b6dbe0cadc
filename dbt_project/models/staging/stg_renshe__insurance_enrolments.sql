-- One row per social-insurance enrolment delivered by 人社 (exact copies left out: they follow
-- the row they copy). The person and the employer come from the base links, joined on
-- (dataset, batch, row).
with source as (
    select * from {{ source('renshe', 'shebao') }}
),

renamed as (
    select
        'renshe.shebao' as dataset,
        _batch_id as batch_id,
        _row_number as row_number,
        _batch_id || '|' || cast(_row_number as {{ dbt.type_string() }}) as enrolment_id,
        employer_uscc,
        insurance_type,
        enrolled_on
    from source
    where _duplicate_of is null
)

select * from renamed
