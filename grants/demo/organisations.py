"""The applicant organisations: municipalities, regions, a federation of municipalities and
associations, with checksum-valid invented organisation numbers and bankgiro numbers."""

import datetime as dt
import random

from stdnum import luhn

from grants.models import Organisation, OrganisationType
from regions.models import Kommun, Lan


def org_number(first_digit: str, serial: int) -> str:
    """A checksum-valid organisation number for invented organisations."""
    body = f"{first_digit}{serial:08d}"
    if body[2] < "2":  # the third digit is at least 2 for legal persons
        body = body[:2] + "2" + body[3:]
    number = body + luhn.calc_check_digit(body)
    return f"{number[:6]}-{number[6:]}"


def municipal_name(kommun: Kommun) -> str:
    if kommun.name in {"Stockholm", "Göteborg", "Malmö"}:
        return f"{kommun.name}s stad" if kommun.name != "Malmö" else "Malmö stad"
    genitive = kommun.name if kommun.name[-1] in "sxzaeiouyåäö" else f"{kommun.name}s"
    return f"{genitive} kommun"


class OrganisationMaker:
    """Creates the demo organisations. Shares the builder's random generator, so the same seed
    gives the same organisations whatever else the builder makes in between."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serial = 0

    def _org(self, *, name, org_type, seat, first_digit, demo=True, **extra) -> Organisation:
        self.serial += 1
        org = Organisation(
            name=name,
            org_number=org_number(first_digit, 20_000_000 + self.serial * 7919),
            org_type=org_type,
            seat=seat,
            street_address=f"Storgatan {self.rng.randint(1, 60)}",
            postcode=f"{self.rng.randint(100, 989)} {self.rng.randint(10, 99)}",
            town=seat.name,
            phone=f"0{self.rng.randint(10, 99)}-{self.rng.randint(100000, 999999)}",
            email=f"info{self.serial}@demo.delmos.example",
            bankgiro=self._bankgiro(),
            signatory="Firmatecknare (demo)",
            founded_on=dt.date(self.rng.randint(1950, 2016), 1, 1),
            is_demo=demo,
            **extra,
        )
        org.full_clean()
        org.save()
        return org

    def _bankgiro(self) -> str:
        body = f"{self.rng.randint(100000, 9999999):07d}"
        number = body + luhn.calc_check_digit(body)
        return f"{number[:-4]}-{number[-4:]}"

    def municipality(self, kommun: Kommun) -> Organisation:
        return self._org(
            name=municipal_name(kommun),
            org_type=OrganisationType.KOMMUN,
            seat=kommun,
            first_digit="2",
            represents_kommun=kommun,
        )

    def region(self, lan: Lan, seat: Kommun) -> Organisation:
        return self._org(
            name=lan.region_name,
            org_type=OrganisationType.REGION,
            seat=seat,
            first_digit="2",
            represents_lan=lan,
        )

    def association(self, name: str, seat: Kommun, *, foundation=False) -> Organisation:
        return self._org(
            name=name,
            org_type=OrganisationType.STIFTELSE if foundation else OrganisationType.IDEELL_FORENING,
            seat=seat,
            first_digit="8",
        )

    def federation(self, name: str, seat: Kommun) -> Organisation:
        return self._org(
            name=name, org_type=OrganisationType.KOMMUNALFORBUND, seat=seat, first_digit="2"
        )
