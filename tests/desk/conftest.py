"""The desk's tests reuse the activities area's fixtures (frozen clock, staff, publish, member)."""

from tests.activities.conftest import (  # noqa: F401 - fixtures
    clock,
    member,
    publish,
    secretary,
    staff,
)
from tests.notices.conftest import give_credit, templates  # noqa: E402,F401 - fixtures
