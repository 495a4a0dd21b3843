"""The open-data API's representation of a base, built from the one declaration of the public
fields (bases.public_fields): a field there is a field here, in the same order and with the same
name; nothing else is."""

from rest_framework import serializers

from bases.public_fields import PUBLIC_BASE_FIELDS, PublicField

NULLABLE = {"industry", "revoked_on"}  # a base without a recorded industry; a valid base has no revocation date


def _serializer_field(field: PublicField) -> serializers.Field:
    options = {"label": field.label, "help_text": field.help or None, "read_only": True}
    if field.name in NULLABLE:
        options["allow_null"] = True
    if field.kind == "choice":
        return serializers.ChoiceField(choices=field.choices.choices, **options)
    if field.kind == "date":
        return serializers.DateField(**options)
    return serializers.CharField(**options)


PublicBaseSerializer = type(
    "PublicBaseSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "已认定的商业秘密保护基地（公开信息）。",
        **{field.name: _serializer_field(field) for field in PUBLIC_BASE_FIELDS},
    },
)
