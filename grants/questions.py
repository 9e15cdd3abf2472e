"""The application's questions, as the rules know them: the labels of the fields that the
submission rules (grants.services.submission) name in their messages and the portal's forms show,
and the civil-society certifications. Forms add widgets and HTML; this module has neither."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "project_title": _("Project title"),
    "project_summary": _("Summary"),
    "purpose_and_plan": _("What the grant is for, and an overall plan"),
    "target_groups": _("Target groups"),
    "areas": _("Areas (municipalities)"),
    "area_details": _("Districts and areas"),
    "start_date": _("Start date"),
    "end_date": _("End date"),
    "collaboration": _("How the partners collaborate"),
    "long_term_effect": _("How the work reduces segregation in the long term"),
    "follow_up": _("How the work will be followed up"),
    "not_statutory_task": _(
        "We confirm that the work is not a task the municipality or region must perform by law."
    ),
    "statement": _("How the work goes beyond the statutory tasks"),
    "other_state_grants": _(
        "Has the organisation applied for or received other state grants for the same activity?"
    ),
    "funder": _("From whom"),
    "funding_purpose": _("For what purpose"),
    "funding_amount": _("Amount (SEK)"),
    "funding_decision_date": _("Expected decision date"),
    "co_funding": _("Other funding of the project"),
}

# Asked when the applicant says other state grants are involved.
FUNDING_FOLLOW_UPS = ("funder", "funding_purpose", "funding_amount", "funding_decision_date")

# The civil-society certifications of the 2021 e-service; a "yes" opens its follow-up fields.
CERTIFICATION_QUESTIONS = [
    (
        "legal_form_eligible",
        _(
            "Is the organisation eligible in its legal form (a non-profit association or a foundation)?"
        ),
        "yes",
    ),
    (
        "non_profit_in_sweden",
        _("Does the organisation run non-profit activities in Sweden?"),
        "yes",
    ),
    ("active_two_years", _("Has the organisation been active for at least two years?"), "yes"),
    (
        "respects_democracy",
        _(
            "Does the organisation respect democracy, equality and non-discrimination in its "
            "activities?"
        ),
        "yes",
    ),
    (
        "tax_debts",
        _(
            "Does the organisation have debts for Swedish taxes or fees registered with the "
            "Swedish Enforcement Authority (Kronofogdemyndigheten)?"
        ),
        "",
    ),
    ("in_liquidation", _("Is the organisation in liquidation or declared bankrupt?"), ""),
    (
        "state_aid",
        _("Would the grant be state aid under article 107 of the TFEU?"),
        "",
    ),
    ("local_roots", _("Does the organisation have local roots in the area of the project?"), ""),
]
CERTIFICATION_FOLLOW_UPS = {
    "tax_debts": ("tax_debts_details", _("Describe the debts and how they will be paid")),
    "in_liquidation": ("in_liquidation_details", _("Describe the situation")),
    "state_aid": ("state_aid_details", _("Explain why, and under which exemption")),
    "local_roots": ("local_roots_description", _("Describe the local roots")),
}
