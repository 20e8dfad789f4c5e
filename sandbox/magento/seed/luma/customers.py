"""The seed's customers, each telling one story the customer and order flows meet.

1. Veronica Costello: a retail customer in Michigan with a home and an office address;
   she places most of the orders, so her addresses are reused order after order.
2. Benjamin Le Goff: a middle name and no address at all (a fresh account).
3. Tay Ray: bills to Michigan and ships to Tokyo, where Magento keeps the prefecture as
   free text (no region code), as it does for countries it has no region list for.
4. Clay Lock: a wholesale company in the Netherlands with separate billing and shipping.
5. Drew France: a company in Paris with one address for both; orders in euros.

Shapes as `GET /V1/customers/{id}` answers them on Magento 2.4 (default billing and
shipping as address-id strings on the customer, booleans on the address).
"""

from __future__ import annotations

from typing import Any

MICHIGAN = {"region_code": "MI", "region": "Michigan", "region_id": 33}
NO_REGION: dict[str, Any] = {"region_code": None, "region": None, "region_id": 0}


def _address(
    aid: int,
    customer_id: int,
    who: tuple[str, str],
    street: list[str],
    city: str,
    postcode: str,
    country: str,
    telephone: str,
    region: dict[str, Any] = NO_REGION,
    company: str | None = None,
    billing: bool = False,
    shipping: bool = False,
) -> dict[str, Any]:
    address: dict[str, Any] = {
        "id": aid,
        "customer_id": customer_id,
        "region": dict(region),
        "region_id": region["region_id"],
        "country_id": country,
        "street": street,
        "telephone": telephone,
        "postcode": postcode,
        "city": city,
        "firstname": who[0],
        "lastname": who[1],
    }
    if company:
        address["company"] = company
    if shipping:
        address["default_shipping"] = True
    if billing:
        address["default_billing"] = True
    return address


def _customer(
    cid: int,
    email: str,
    who: tuple[str, str],
    group_id: int,
    created: str,
    addresses: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    billing = next((a["id"] for a in addresses if a.get("default_billing")), 0)
    shipping = next((a["id"] for a in addresses if a.get("default_shipping")), 0)
    return {
        "id": cid,
        "group_id": group_id,
        "default_billing": str(billing),
        "default_shipping": str(shipping),
        "created_at": created,
        "updated_at": created,
        "created_in": "Default Store View",
        "email": email,
        "firstname": who[0],
        "lastname": who[1],
        "gender": extra.pop("gender", 0),
        "store_id": 1,
        "website_id": 1,
        "addresses": addresses,
        "disable_auto_group_change": 0,
        "extension_attributes": {"is_subscribed": False},
        **extra,
    }


RONI = ("Veronica", "Costello")
TAY = ("Tay", "Ray")
CLAY = ("Clay", "Lock")
DREW = ("Drew", "France")


def customers() -> list[dict[str, Any]]:
    return [
        _customer(1, "roni_cost@example.com", RONI, 1, "2026-09-02 10:12:15", [
            _address(1, 1, RONI, ["6146 Honey Bluff Parkway"], "Calder", "49628-7978", "US",
                     "(555) 229-3326", MICHIGAN, billing=True, shipping=True),
            _address(7, 1, RONI, ["30 Monroe Center St NW", "Suite 400"], "Grand Rapids",
                     "49503", "US", "(555) 229-3327", MICHIGAN),
        ], dob="1973-12-15", gender=2),
        _customer(2, "benjamin@goff.com", ("Benjamin", "Goff"), 1, "2026-09-10 07:44:26", [],
                  middlename="Le"),
        _customer(3, "tay@ray.com", TAY, 1, "2026-09-14 07:10:13", [
            _address(2, 3, TAY, ["410 E Liberty St"], "Ann Arbor", "48104", "US",
                     "(555) 641-0034", MICHIGAN, billing=True),
            _address(3, 3, TAY, ["1-9-1 Marunouchi", "Chiyoda-ku"], "Tokyo", "100-0005", "JP",
                     "+81 3-1234-5678", {**NO_REGION, "region": "東京都"}, shipping=True),
        ]),
        _customer(4, "clay@lock.nl", CLAY, 2, "2026-09-20 08:55:13", [
            _address(4, 4, CLAY, ["Keizersgracht 123"], "Amsterdam", "1015 CJ", "NL",
                     "+31 20 555 0101", company="Clay Company", billing=True),
            _address(5, 4, CLAY, ["Havenstraat 5"], "Rotterdam", "3024 SG", "NL",
                     "+31 10 555 0199", company="Clay Company", shipping=True),
        ]),
        _customer(5, "drew@france.com", DREW, 1, "2026-09-24 09:52:27", [
            _address(6, 5, DREW, ["12 Rue de Rivoli"], "Paris", "75001", "FR",
                     "+33 1 55 55 01 01", company="DF Services", billing=True, shipping=True),
        ]),
    ]  # fmt: skip
