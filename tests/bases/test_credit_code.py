"""统一社会信用代码 (GB 32100-2015): 18 characters, positions 3–8 an area code, check character mod 31."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from bases.forms import RegistrationOrganisationForm
from bases.validators import CREDIT_CODE_CHARSET, credit_code_check_character, validate_credit_code
from tests.factories import OrganisationFactory, make_credit_code

LENGTH = "统一社会信用代码应为18位，当前为{n}位。"
CHARSET = "统一社会信用代码含有不允许的字符（只能是数字和除 I、O、S、V、Z 以外的大写字母，第3–8位为行政区划代码）。"
CHECKSUM = "统一社会信用代码校验位不正确，请核对后重新输入。"

# Published codes of real organisations, and generated ones.
VALID = ["91350100M000100Y43", "91110108551385082Q", *(make_credit_code(seed) for seed in (0, 1, 7, 42, 2021))]


@pytest.mark.parametrize("code", VALID)
def test_validate_credit_code_valid_code_passes(code):
    validate_credit_code(code)

    assert credit_code_check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    "value, code, message",
    [
        ("", "length", LENGTH.format(n=0)),
        ("91350100M000100Y4", "length", LENGTH.format(n=17)),
        ("91350100M000100Y433", "length", LENGTH.format(n=19)),
        ("91350100I000100Y43", "charset", CHARSET),
        ("91350100O000100Y43", "charset", CHARSET),
        ("91350100S000100Y43", "charset", CHARSET),
        ("91350100V000100Y43", "charset", CHARSET),
        ("91350100Z000100Y43", "charset", CHARSET),
        ("913501A0M000100Y43", "charset", CHARSET),  # a letter in the area code (positions 3–8)
        ("91A50100M000100Y43", "charset", CHARSET),
        ("91350100M000100Y4-", "charset", CHARSET),
        ("91350100M000100Y44", "checksum", CHECKSUM),
        ("91110108551385082R", "checksum", CHECKSUM),
        ("91350100M000100Y34", "checksum", CHECKSUM),  # two characters swapped
    ],
)
def test_validate_credit_code_invalid_value_raises_chinese_message(value, code, message):
    with pytest.raises(ValidationError) as raised:
        validate_credit_code(value)

    assert raised.value.code == code
    assert raised.value.messages == [message]


@pytest.mark.django_db
def test_registration_form_lowercase_credit_code_cleaned_to_uppercase():
    form = RegistrationOrganisationForm(prefix="org", data={"org-credit_code": " 91350100m000100y43 "})

    form.is_valid()

    assert "credit_code" not in form.errors
    assert form.cleaned_data["credit_code"] == "91350100M000100Y43"


@pytest.mark.django_db
def test_organisation_save_lowercase_credit_code_stored_uppercase():
    organisation = OrganisationFactory(credit_code="91110108551385082q")

    organisation.refresh_from_db()

    assert organisation.credit_code == "91110108551385082Q"


# Positions 1–2 and 9–17 over the 31 permitted characters, positions 3–8 digits.
bodies = st.tuples(
    st.text(CREDIT_CODE_CHARSET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(CREDIT_CODE_CHARSET, min_size=9, max_size=9),
).map("".join)


@settings(database=None)  # no .hypothesis/ directory in the project
@given(body=bodies)
def test_credit_code_any_body_with_its_check_character_validates_and_any_other_fails(body):
    check = credit_code_check_character(body)

    validate_credit_code(body + check)
    refused = set()
    for other in CREDIT_CODE_CHARSET.replace(check, ""):
        with pytest.raises(ValidationError) as raised:
            validate_credit_code(body + other)
        refused.add((other, raised.value.code))

    assert refused == {(other, "checksum") for other in CREDIT_CODE_CHARSET if other != check}
