"""The carrier simulator's Kuaidi100 protocol and parcel journeys: state codes, signatures,
answer shapes, and the deterministic journey each tracking number takes. Pure functions and
data (standard library only); `shipping.simulator` serves them over HTTP."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")  # Kuaidi100 writes times in Beijing time, without a zone
QUERY_PATH = "/poll/query.do"
SUBSCRIBE_PATH = "/poll"

# The basic states of a Kuaidi100 answer (`state`, and `status` of each event with resultv2=1).
IN_TRANSIT, PICKED_UP, PROBLEM, SIGNED, RETURN_SIGNED, OUT_FOR_DELIVERY, RETURNING = (
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
)
REFUSED = "14"
STATE_NAMES = {
    IN_TRANSIT: "在途",
    PICKED_UP: "揽收",
    PROBLEM: "疑难",
    SIGNED: "签收",
    RETURN_SIGNED: "退签",
    OUT_FOR_DELIVERY: "派件",
    RETURNING: "退回",
    "7": "转投",
    REFUSED: "拒签",
}
# The detailed states (resultv2=4: `statusCode` of each event, and `state` of the answer).
DETAIL_NAMES = {
    "0": "在途",
    "1001": "到达派件城市",
    "1002": "干线",
    "1003": "转递",
    "1": "揽收",
    "101": "已下单",
    "102": "待揽收",
    "103": "已揽收",
    "5": "派件",
    "501": "投柜或驿站",
    "3": "签收",
    "301": "本人签收",
    "302": "派件异常后签收",
    "303": "代签",
    "304": "投柜或站签收",
    "6": "退回",
    "4": "退签",
    "401": "已销单",
    "14": "拒签",
    "2": "疑难",
    "201": "超时未签收",
    "202": "超时未更新",
    "203": "拒收",
    "204": "派件异常",
    "205": "柜或驿站超时未取",
    "206": "无法联系",
    "207": "超区",
    "208": "滞留",
    "209": "破损",
    "210": "销单",
}
FINAL_STATES = {SIGNED, RETURN_SIGNED}

# The carriers the simulator serves, by Kuaidi100 company code, with the name on their scans.
COMPANIES = {
    "shunfeng": "顺丰速运",
    "zhongtong": "中通快递",
    "yuantong": "圆通速递",
    "yunda": "韵达快递",
    "shentong": "申通快递",
    "jd": "京东物流",
    "debangkuaidi": "德邦快递",
    "ems": "EMS",
    "youzhengguonei": "邮政快递包裹",
    "jtexpress": "极兔速递",
}


@dataclass(frozen=True)
class City:
    name: str  # "Province,City" as Kuaidi100's areaName writes it
    code: str  # Kuaidi100's areaCode: CN + the 12-digit administrative code
    short: str
    districts: tuple[str, ...]


CITIES = (
    City("上海,上海市", "CN310000000000", "上海", ("浦东新区", "闵行区", "徐汇区", "嘉定区")),
    City("北京,北京市", "CN110000000000", "北京", ("朝阳区", "海淀区", "丰台区", "通州区")),
    City("广东,广州市", "CN440100000000", "广州", ("天河区", "白云区", "番禺区", "海珠区")),
    City("广东,深圳市", "CN440300000000", "深圳", ("南山区", "福田区", "宝安区", "龙岗区")),
    City("浙江,杭州市", "CN330100000000", "杭州", ("西湖区", "余杭区", "滨江区", "萧山区")),
    City("江苏,南京市", "CN320100000000", "南京", ("鼓楼区", "江宁区", "玄武区", "浦口区")),
    City("江苏,苏州市", "CN320500000000", "苏州", ("姑苏区", "工业园区", "吴中区", "相城区")),
    City("四川,成都市", "CN510100000000", "成都", ("武侯区", "高新区", "锦江区", "双流区")),
    City("湖北,武汉市", "CN420100000000", "武汉", ("洪山区", "江汉区", "武昌区", "汉阳区")),
    City("陕西,西安市", "CN610100000000", "西安", ("雁塔区", "未央区", "碑林区", "灞桥区")),
    City("天津,天津市", "CN120000000000", "天津", ("和平区", "南开区", "河西区", "滨海新区")),
    City("重庆,重庆市", "CN500000000000", "重庆", ("渝中区", "江北区", "渝北区", "沙坪坝区")),
    City("山东,济南市", "CN370100000000", "济南", ("历下区", "历城区", "市中区", "槐荫区")),
    City("福建,厦门市", "CN350200000000", "厦门", ("思明区", "湖里区", "集美区", "海沧区")),
    City("辽宁,沈阳市", "CN210100000000", "沈阳", ("和平区", "沈河区", "铁西区", "浑南区")),
    City("新疆,乌鲁木齐市", "CN650100000000", "乌鲁木齐", ("天山区", "沙依巴克区", "新市区")),
)
COURIERS = ("王师傅", "李建国", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄海", "周强", "吴敏")


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulated carriers behave. `accounts` maps each accepted customer (公司编号) to
    its key (授权key); subscriptions name only the key."""

    accounts: Mapping[str, str]
    step_seconds: float = 120.0
    exception_share: float = 0.1  # held up, damaged, a failed delivery attempt
    return_share: float = 0.05  # refused or returned to the sender
    duplicate_share: float = 0.1  # a push sent twice
    out_of_order_share: float = 0.1  # two pushes swapped
    retry_seconds: float = 30.0  # the first pause before a failed push is sent again
    max_attempts: int = 8  # then that push is given up (a poll still finds the events)
    seed: str = ""  # another seed gives every tracking number another journey
    push_workers: int = 4
    state_path: str = ""  # SQLite file; "" keeps everything in memory
    push_timeout: float = 10.0


@dataclass(frozen=True)
class Step:
    state: str  # the basic state ("0".."6", "14")
    detail: str  # the detailed state (resultv2=4)
    context: str
    city: City
    offset: float  # seconds after the parcel's start when the carrier scans it


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def query_sign(param: str, key: str, customer: str) -> str:
    return md5_upper(param + key + customer)


def push_sign(param: str, salt: str) -> str:
    return md5_upper(param + salt)


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _rng(config: SimulatorConfig, *parts: str) -> random.Random:
    digest = hashlib.sha256("|".join((config.seed, *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _city(name: str, rng: random.Random, avoid: City | None = None) -> City:
    """The city a place name (`from`/`to`: "上海", "广东深圳市") names, else a drawn one."""
    name = name.strip()[:30]
    if name:
        for city in CITIES:
            if city.short in name:
                return city
        return City(name, "", name.removesuffix("市"), ("城区", "开发区"))
    choices = [c for c in CITIES if c is not avoid]
    return rng.choice(choices)


def journey(
    config: SimulatorConfig, com: str, num: str, *, origin: str = "", destination: str = ""
) -> list[Step]:
    """The scans of one parcel, always the same for the same carrier and number."""
    rng = _rng(config, com, num)
    brand = COMPANIES.get(com, com)
    start = _city(origin, rng)
    end = _city(destination, rng, avoid=start)
    start_district, end_district = rng.choice(start.districts), rng.choice(end.districts)
    picker, driver = rng.sample(COURIERS, 2)
    phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    station = f"{end.short}{end_district}营业部"
    steps: list[tuple[str, str, str, City, float]] = []

    def scan(state: str, detail: str, context: str, city: City, weight: float = 1.0) -> None:
        steps.append((state, detail, context, city, weight))

    scan(
        PICKED_UP,
        "103",
        f"【{start.short}{start_district}营业部】已揽收，揽收员：{picker}",
        start,
        0,
    )
    scan(IN_TRANSIT, "1002", f"快件已到达【{start.short}转运中心】", start)
    scan(
        IN_TRANSIT,
        "1002",
        f"快件已从【{start.short}转运中心】发出，下一站【{end.short}转运中心】",
        start,
    )
    roll = rng.random()
    trouble = rng.choice(("held", "damaged", "attempt", "attempt"))
    if roll >= config.return_share and roll < config.return_share + config.exception_share:
        if trouble == "held":
            scan(PROBLEM, "208", f"快件因天气原因滞留【{start.short}转运中心】，将尽快发出", start)
        elif trouble == "damaged":
            scan(
                PROBLEM, "209", f"快件在【{start.short}转运中心】发现外包装破损，已重新加固", start
            )
    else:
        trouble = ""
    scan(IN_TRANSIT, "1001", f"快件已到达【{end.short}转运中心】", end, 2.0)
    scan(IN_TRANSIT, "0", f"快件已到达【{station}】", end)
    out = f"【{station}】派件员：{driver}（{phone}）正在为您派件"
    scan(OUT_FOR_DELIVERY, "5", out, end)
    thanks = f"感谢使用{brand}，期待再次为您服务"
    if roll < config.return_share:
        if rng.random() < 0.5:
            scan(REFUSED, "14", "收件人拒收，快件将退回寄件人", end)
        else:
            scan(PROBLEM, "203", "收件人拒收，快件将退回寄件人", end)
        scan(
            RETURNING,
            "6",
            f"退回件已从【{end.short}转运中心】发出，下一站【{start.short}转运中心】",
            end,
            2.0,
        )
        scan(RETURNING, "6", f"退回件已到达【{start.short}{start_district}营业部】", start, 2.0)
        scan(RETURN_SIGNED, "4", "退回件已由寄件人签收", start)
    elif trouble == "attempt":
        if rng.random() < 0.5:
            scan(PROBLEM, "204", "派件不成功：收件人不在，将于下一工作日再次派送", end)
        else:
            scan(PROBLEM, "206", f"派件员多次联系收件人未接通（{driver}，{phone}）", end)
        scan(OUT_FOR_DELIVERY, "5", out, end, 3.0)
        scan(SIGNED, "302", f"已签收，签收人：本人。{thanks}", end)
    else:
        kind = rng.random()
        if kind < 0.25:
            code = f"{rng.randrange(1, 30)}-{rng.randrange(1, 6)}-{rng.randrange(1000, 9999)}"
            scan(
                OUT_FOR_DELIVERY,
                "501",
                f"快件已存放至【{end.short}{end_district}菜鸟驿站】，取件码 {code}",
                end,
            )
            scan(SIGNED, "304", f"已从驿站取出签收。{thanks}", end)
        elif kind < 0.4:
            scan(SIGNED, "303", f"已签收，签收人：门卫代签。{thanks}", end)
        else:
            scan(SIGNED, "301", f"已签收，签收人：本人。{thanks}", end)

    offset = 0.0
    result = []
    for state, detail, context, city, weight in steps:
        offset += weight * config.step_seconds * rng.uniform(0.6, 1.4)
        result.append(Step(state, detail, context, city, offset))
    return result


def push_plan(config: SimulatorConfig, com: str, num: str, steps: int) -> list[int]:
    """In which order the pushes of a parcel go out: one per scan (the events up to it), with
    some sent twice and some pairs swapped."""
    rng = _rng(config, com, num, "pushes")
    plan: list[int] = []
    index = 0
    while index < steps:
        if 0 < index < steps - 1 and rng.random() < config.out_of_order_share:
            plan += [index + 1, index]
            index += 2
        else:
            plan.append(index)
            index += 1
        if rng.random() < config.duplicate_share:
            plan.append(plan[-1])
    return plan


def beijing_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def scan_times(start: float, steps: list[Step]) -> list[float]:
    """When each scan happened: its offset after the start, and at least a second after the
    scan before it (Kuaidi100 times have whole seconds, and two scans never share one), while
    never later than the moment it becomes visible."""
    count = len(steps)
    return [start + step.offset - (count - index) for index, step in enumerate(steps)]


def tracking_result(
    com: str,
    num: str,
    steps: list[Step],
    start: float,
    reached: int,
    *,
    resultv2: str = "",
    ascending: bool = False,
) -> dict:
    """The query answer (and a push's lastResult) once the first `reached` scans happened."""
    detailed = resultv2 in {"4", "8"}
    areas = resultv2 not in {"", "0"}
    times = scan_times(start, steps)
    data = []
    for step, moment in zip(steps[:reached], times, strict=False):
        stamp = beijing_time(moment)
        event: dict[str, Any] = {"time": stamp, "ftime": stamp, "context": step.context}
        if areas:
            event.update(areaCode=step.city.code, areaName=step.city.name)
        event["status"] = DETAIL_NAMES[step.detail] if detailed else STATE_NAMES[step.state]
        if detailed:
            event["statusCode"] = step.detail
        event["location"] = ""
        data.append(event)
    if not ascending:
        data.reverse()
    last = steps[reached - 1]
    answer: dict[str, Any] = {
        "message": "ok",
        "nu": num,
        "ischeck": "1" if last.state in FINAL_STATES else "0",
        "condition": "F00" if last.state in FINAL_STATES else "00",
        "com": com,
        "status": "200",
        "data": data,
        "state": last.detail if detailed else last.state,
    }
    if detailed:
        answer["routeInfo"] = {
            "from": {"number": steps[0].city.code, "name": steps[0].city.name},
            "cur": {"number": last.city.code, "name": last.city.name},
            "to": {"number": steps[-1].city.code, "name": steps[-1].city.name},
        }
        answer["isLoop"] = False
    return answer


def failure(code: str, message: str) -> dict:
    return {"result": False, "returnCode": code, "message": message}


INCOMPLETE = "提交的数据不完整，或者贵公司没授权"
