"""The admin form of a quiz: the publishing rules are checked before publishing."""

from wagtail.admin.forms import WagtailAdminModelForm

from quizzes import validation

# Buttons of Wagtail's snippet editor that make a quiz go public (now or after
# review); saving a draft stays possible with an unfinished quiz.
PUBLISHING_ACTIONS = ("action-publish", "action-submit")


def _live_forms(formset):
    return [
        form
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class QuizAdminForm(WagtailAdminModelForm):
    """Check the quiz rules (correct answers, feedback) when it is to be published."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if not valid or not any(name in self.data for name in PUBLISHING_ACTIONS):
            return valid
        questions = []
        for question_form in _live_forms(self.formsets["questions"]):
            data = question_form.cleaned_data
            choices = [
                {
                    "text": c.cleaned_data.get("text"),
                    "is_correct": c.cleaned_data.get("is_correct"),
                    "correct_position": c.cleaned_data.get("correct_position"),
                    "feedback": c.cleaned_data.get("feedback"),
                }
                for c in _live_forms(question_form.formsets["choices"])
            ]
            questions.append(
                {
                    "type": data.get("question_type"),
                    "prompt": data.get("prompt"),
                    "scenario": data.get("scenario"),
                    "choices": choices,
                }
            )
        definition = {
            "questions": questions,
            "settings": {"pool_size": self.cleaned_data.get("pool_size") or 0},
        }
        problems = validation.definition_problems(definition)
        for problem in problems:
            self.add_error(None, problem.describe())
        return not problems
