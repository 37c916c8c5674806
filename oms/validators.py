import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Mainland mobiles (13812345678), landlines with area code (021-12345678, 0755 1234 5678)
# and international numbers (+852 2345 6789). Separators are spaces and dashes.
_PHONE = re.compile(r"^(\+\d{1,3}[ -]?)?(\(?\d{2,5}\)?[ -]?)?\d{3,4}[ -]?\d{4}$")


# A marketplace hides the middle of its buyers' mobiles (138****5678): kept as given.
MASKED_MOBILE = re.compile(r"^1[3-9]\d\*{4}\d{4}$")


def validate_phone(value: str) -> None:
    if MASKED_MOBILE.match(value.strip()):
        return
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value.strip()) or not 7 <= len(digits) <= 15:
        raise ValidationError(
            _("Enter a valid phone number, such as 13812345678 or 021-12345678."),
            code="invalid_phone",
        )
    if value.strip().startswith("1") and len(digits) == 11 and not re.match(r"^1[3-9]", digits):
        raise ValidationError(
            _("Mobile numbers in mainland China start with 13 to 19."), code="invalid_phone"
        )


def validate_taxpayer_id(value: str) -> None:
    """A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last
    a check character over the first 17. Spaces are ignored; lower case is read as upper."""
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        uscc.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _(
                "The check character of this unified social credit code does not match: look for "
                "a typing error."
            ),
            code="invalid_taxpayer_id",
        ) from None
    except StdnumError:
        raise ValidationError(
            _("Enter the 18-character unified social credit code, such as 91110000600037341L."),
            code="invalid_taxpayer_id",
        ) from None
