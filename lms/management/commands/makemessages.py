"""``makemessages`` without fuzzy matching.

Fuzzy matching guesses a translation from a similar message ("video address" would
get the Vietnamese for "address"); a wrong guess shown to a child is worse than
English, so new messages start empty and are translated on purpose.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
