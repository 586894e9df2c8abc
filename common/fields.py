"""API input fields that take what the schema says and nothing else."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """Text only: DRF's ``CharField`` turns ``0`` or ``1.5`` into ``"0"``/``"1.5"``,
    which the schema (``type: string``) says is not accepted."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
