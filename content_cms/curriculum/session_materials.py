"""An adults' module's session materials in the module file: checked, then stored.

A parents' or staff module may carry a ``session_guide`` (a 45-60 minute session
plan whose steps add up to its minutes) and a ``take_home`` sheet; both go
together and pupils' modules have neither. ``content_cms/session_pdf.py`` draws
them as PDFs from the stored value.
"""

from django.utils.translation import gettext as _


def session_material_errors(data: dict, where: str) -> list[str]:
    """Return what is wrong with an adults' module's session guide and sheet."""
    errors = []
    guide, take_home = data.get("session_guide"), data.get("take_home")
    if data["audience"] == "pupil":
        if guide or take_home:
            errors.append(
                f"{where}: session_guide: "
                + _("only adults' modules have a session guide and a take-home sheet")
            )
        return errors
    if (guide is None) != (take_home is None):
        errors.append(
            f"{where}: session_guide: "
            + _("a session guide and a take-home sheet go together")
        )
    if guide:
        planned = sum(step["minutes"] for step in guide["steps"])
        if planned != guide["minutes"]:
            errors.append(
                f"{where}: session_guide.steps: "
                + _("the steps add up to %(planned)s minutes, not %(minutes)s")
                % {"planned": planned, "minutes": guide["minutes"]}
            )
    return errors


def session_materials_value(data: dict, language: str) -> dict:
    """Return the session guide and take-home sheet in one language, or {}."""
    guide, take_home = data.get("session_guide"), data.get("take_home")
    if not guide:
        return {}
    return {
        "guide": {
            "minutes": guide["minutes"],
            "materials": [item[language] for item in guide["materials"]],
            "steps": [
                {
                    "minutes": step["minutes"],
                    "title": step["title"][language],
                    "activity": step["activity"][language],
                }
                for step in guide["steps"]
            ],
        },
        "take_home": {
            "title": take_home["title"][language],
            "points": [item[language] for item in take_home["points"]],
            "contacts": [item[language] for item in take_home["contacts"]],
        },
    }
