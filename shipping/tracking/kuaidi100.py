"""A Kuaidi100-style tracking aggregator (快递100), in its own request shapes.

- Query: form POST to `<endpoint>/poll/query.do` with `customer`, `param` (JSON: com, num,
  phone, resultv2) and `sign = UPPER(MD5(param + key + customer))`; the answer is the parcel's
  lastResult (message, state, status, ischeck, com, nu, data[]) or
  `{"result": false, "returnCode": "500", ...}` when there is nothing yet.
- Subscribe: form POST to `<endpoint>/poll` with `schema=json` and `param` (JSON: company,
  number, key, parameters {callbackurl, salt, resultv2, phone}); `{"result": true,
  "returnCode": "200"}` (501: already subscribed) means it will push.
- Push: form fields `param` (JSON: status, message, lastResult {...}) and
  `sign = UPPER(MD5(param + salt))`; we answer `{"result": true, "returnCode": "200",
  "message": "成功"}`.

`state` (and each event's `statusCode` with resultv2=4) is one of the codes in STATE_CODES.
"""

import contextlib
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.parse
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from shipping.choices import TrackingKind
from shipping.tracking.adapters import (
    BadPayload,
    BadSignature,
    CallbackAnswer,
    CallbackRequest,
    CarrierEvent,
    Parcel,
    TrackingAdapter,
    TrackingUnavailable,
    http_post,
    load_json_object,
    register_adapter,
)
from shipping.tracking.statuses import TrackingStatus

T = TrackingStatus
# Kuaidi100 writes times in China's time, without a zone.
CHINA = ZoneInfo("Asia/Shanghai")
QUERY_PATH = "/poll/query.do"
SUBSCRIBE_PATH = "/poll"
# The richest answer: a status code on every event (statusCode) and sub-states in `state`.
RESULT_VERSION = "4"

# Kuaidi100's states and sub-states and what they mean.
STATE_CODES: dict[str, str] = {
    "0": T.IN_TRANSIT,  # 在途
    "1001": T.IN_TRANSIT,  # 到达派件城市
    "1002": T.IN_TRANSIT,  # 干线
    "1003": T.IN_TRANSIT,  # 转递
    "1": T.IN_TRANSIT,  # 揽收: the courier has the parcel
    "101": T.INFO_RECEIVED,  # 已下单
    "102": T.INFO_RECEIVED,  # 待揽收
    "103": T.IN_TRANSIT,  # 已揽收
    "5": T.OUT_FOR_DELIVERY,  # 派件
    "501": T.AVAILABLE_FOR_PICKUP,  # 投柜或驿站
    "3": T.DELIVERED,  # 签收
    "301": T.DELIVERED,  # 本人签收
    "302": T.DELIVERED,  # 派件异常后签收
    "303": T.DELIVERED,  # 代签
    "304": T.DELIVERED,  # 投柜或站签收
    "2": T.EXCEPTION,  # 疑难
    "201": T.FAILED_ATTEMPT,  # 超时未签收
    "202": T.FAILED_ATTEMPT,  # 超时未更新
    "203": T.EXCEPTION,  # 拒收 (the refusal itself comes as 14)
    "204": T.FAILED_ATTEMPT,  # 派件异常
    "205": T.EXCEPTION,  # 柜或驿站超时未取
    "206": T.FAILED_ATTEMPT,  # 无法联系
    "207": T.EXCEPTION,  # 超区
    "208": T.EXCEPTION,  # 滞留
    "209": T.EXCEPTION,  # 破损
    "210": T.CANCELLED,  # 销单
    "4": T.RETURNED,  # 退签: signed for by the sender
    "401": T.CANCELLED,  # 已销单
    "6": T.RETURNING,  # 退回
    "14": T.RETURNING,  # 拒签: refused, on its way back
    "7": T.IN_TRANSIT,  # 转投
    "8": T.IN_TRANSIT,  # 清关
    "10": T.IN_TRANSIT,  # 待清关
    "11": T.IN_TRANSIT,  # 清关中
    "12": T.IN_TRANSIT,  # 已清关
    "13": T.EXCEPTION,  # 清关异常
}
# resultv2=1 names each event's state in words instead of a code.
STATE_WORDS = {
    "在途": "0",
    "揽收": "1",
    "疑难": "2",
    "签收": "3",
    "退签": "4",
    "派件": "5",
    "退回": "6",
    "转投": "7",
    "转单": "7",
    "清关": "8",
    "待清关": "10",
    "清关中": "11",
    "已清关": "12",
    "清关异常": "13",
    "拒签": "14",
}
ACK = {"result": True, "returnCode": "200", "message": "成功"}


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_time(text: object) -> datetime:
    if not isinstance(text, str):
        raise BadPayload(f"event time {text!r} is not text")
    clipped = text.strip()[:19]
    # The usual "2026-11-30 08:00:00" without strptime's regular expression (a push carries
    # a dozen times); anything else, and what fromisoformat refuses, as strptime reads it.
    if (
        len(clipped) == 19
        and clipped[4] + clipped[7] + clipped[10] + clipped[13] + clipped[16] == "-- ::"
    ):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(clipped).replace(tzinfo=CHINA)
    try:
        return datetime.strptime(clipped, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError as exc:
        raise BadPayload(f"event time {text!r}: {exc}") from exc


def events_of(result: dict, *, tracking_number: str = "") -> list[CarrierEvent]:
    """The events of a lastResult (a push's, or a query's answer). Events without a code of
    their own take the parcel's state when they are the newest, else "in transit"."""
    number = str(result.get("nu") or tracking_number).strip()
    data = result.get("data")
    if not number or len(number) > 40:
        raise BadPayload("lastResult.nu (the tracking number) is missing or too long")
    if not isinstance(data, list):
        raise BadPayload("lastResult.data is not a list")
    state = str(result.get("state", "")).strip()
    timed = []
    for item in data:
        if not isinstance(item, dict):
            raise BadPayload("an event in lastResult.data is not an object")
        timed.append((parse_time(item.get("time") or item.get("ftime")), item))
    newest = max((t for t, _item in timed), default=None)
    events = []
    for event_time, item in timed:
        code = str(item.get("statusCode") or "").strip() or STATE_WORDS.get(
            str(item.get("status") or "").strip(), ""
        )
        if not code:
            code = state if event_time == newest and state else "0"
        place = item.get("areaName") or item.get("location") or ""
        events.append(
            CarrierEvent(
                tracking_number=number,
                event_time=event_time,
                raw_code=code[:24],
                status=STATE_CODES.get(code, T.PENDING),
                place=str(place)[:120],
                description=str(item.get("context") or "")[:500],
            )
        )
    return events


@register_adapter
class Kuaidi100Adapter(TrackingAdapter):
    kind = TrackingKind.KUAIDI100
    supports_query = True
    supports_push = True
    needs_subscription = True

    @property
    def company(self) -> str:
        return self.carrier.tracking_company or self.carrier.code.lower()

    def _post(self, path: str, fields: dict[str, str]) -> dict:
        endpoint = self.carrier.tracking_endpoint.rstrip("/")
        if not endpoint:
            raise TrackingUnavailable(f"carrier {self.carrier.code} has no tracking API address")
        try:
            body = http_post(
                endpoint + path,
                urllib.parse.urlencode(fields).encode("utf-8"),
                {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
                settings.OMS_TRACKING_TIMEOUT,
            )
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            raise TrackingUnavailable(f"{endpoint}{path}: {exc}") from exc
        try:
            return load_json_object(body)
        except BadPayload as exc:
            raise TrackingUnavailable(f"{endpoint}{path} answered {exc}") from exc

    def query(self, parcel: Parcel) -> list[CarrierEvent]:
        param = dumps(
            {
                "com": self.company,
                "num": parcel.tracking_number,
                "phone": parcel.phone,
                "from": parcel.origin,
                "to": parcel.destination,
                "resultv2": RESULT_VERSION,
                "show": "0",
                "order": "desc",
            }
        )
        customer = self.carrier.tracking_customer
        answer = self._post(
            QUERY_PATH,
            {
                "customer": customer,
                "param": param,
                "sign": md5_upper(param + self.carrier.tracking_key + customer),
            },
        )
        if answer.get("result") is False or "data" not in answer:
            code = str(answer.get("returnCode", ""))
            if code == "500":  # 查询无结果: nothing scanned yet
                return []
            raise TrackingUnavailable(f"query {code}: {answer.get('message', '')}")
        try:
            return events_of(answer, tracking_number=parcel.tracking_number)
        except BadPayload as exc:
            raise TrackingUnavailable(f"query answer: {exc}") from exc

    def subscribe(self, parcel: Parcel, callback_url: str) -> None:
        param = dumps(
            {
                "company": self.company,
                "number": parcel.tracking_number,
                "from": parcel.origin,
                "to": parcel.destination,
                "key": self.carrier.tracking_key,
                "parameters": {
                    "callbackurl": callback_url,
                    "salt": self.carrier.tracking_secret,
                    "resultv2": RESULT_VERSION,
                    "phone": parcel.phone,
                },
            }
        )
        answer = self._post(SUBSCRIBE_PATH, {"schema": "json", "param": param})
        code = str(answer.get("returnCode", ""))
        if code not in ("200", "501"):  # 501: already subscribed
            raise TrackingUnavailable(f"subscribe {code}: {answer.get('message', '')}")

    def verify_callback(self, request: CallbackRequest) -> str:
        param = request.form.get("param", "")
        sign = request.form.get("sign", "")
        secret = self.carrier.tracking_secret
        if not param or not sign or not secret:
            raise BadSignature("param, sign or our salt is missing")
        if not hmac.compare_digest(md5_upper(param + secret), sign.strip().upper()):
            raise BadSignature("sign does not match")
        return param

    def delivery_id(self, request: CallbackRequest, payload: str) -> str:
        sign = request.form.get("sign", "").strip().upper()
        return hashlib.sha256(f"{payload}\n{sign}".encode()).hexdigest()

    def parse_callback(self, payload: str) -> list[CarrierEvent]:
        message = load_json_object(payload)
        result = message.get("lastResult")
        if not isinstance(result, dict):
            raise BadPayload("lastResult is missing")
        return events_of(result)

    def normalise(self, raw_code: str) -> str:
        return STATE_CODES.get(raw_code, T.PENDING)

    def acknowledge(self) -> CallbackAnswer:
        return CallbackAnswer(200, ACK)

    def refuse(self, reason: str, status: int) -> CallbackAnswer:
        return CallbackAnswer(
            status, {"result": False, "returnCode": str(status), "message": reason}
        )
