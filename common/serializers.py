"""Input serializers that take exactly what the API documents.

A field the operation does not know is refused (400, with the field named),
never silently dropped: the schema says so (``additionalProperties: false``, set
for every request body by ``config.schema.standard_error_responses``), and a
client with a typo in a field name learns it at once.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import serializers

# Enough to name the mistakes without echoing a whole hostile body back.
_UNKNOWN_NAMED = 10
_NAME_SHOWN = 40


class StrictInputSerializer(serializers.Serializer):
    """A ``Serializer`` that refuses fields it does not declare."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {
                        key[:_NAME_SHOWN]: [_("This field is not part of this form.")]
                        for key in unknown[:_UNKNOWN_NAMED]
                    }
                )
        return super().to_internal_value(data)
