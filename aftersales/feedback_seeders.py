"""Demo customer ratings: most delivered orders rated, from five stars to one, some with a
comment (Chinese and English), one changed after a first harsh rating. Idempotent: rated
orders are left as they are."""

from aftersales import feedback
from aftersales.models import OrderFeedback
from oms.demo import SeedContext
from orders.models import Order

COMMENTS = {
    5: ["送货很快，包装完好，师傅很客气。", "Arrived a day early, well packed. Thank you!", ""],
    4: ["灯很好看，就是快递晚了一天。", "Good lamp; the box was a little dented.", ""],
    3: ["还行，安装说明只有英文。", ""],
    2: ["少了一个灯泡，客服已经补发。"],
    1: ["Courier left the parcel at the gate in the rain."],
}
WEIGHTS = [(5, 50), (4, 25), (3, 12), (2, 8), (1, 5)]


def seed_feedback_demo(context: SeedContext) -> None:
    rng = context.rng
    rated = set(OrderFeedback.objects.values_list("order_id", flat=True))
    orders = list(
        Order.objects.filter(status__in=feedback.RATABLE_STATUSES)
        .exclude(pk__in=rated)
        .order_by("id")
    )
    made = 0
    changed_one = OrderFeedback.objects.filter(edits__gt=0).exists()
    for order in orders:
        if rng.random() > 0.6:
            continue  # not every customer rates
        if not changed_one:
            # A harsh first rating; customer service sent the missing part, and the customer
            # came back to say so.
            first = "少了一个灯泡。"
            feedback.feedback_give(actor=None, order=order, rating=2, comment=first)
            feedback.feedback_give(
                actor=None,
                order=order,
                rating=4,
                comment=first + " 更新：客服第二天就补发了，谢谢。",
            )
            changed_one = True
        else:
            rating = rng.choices([r for r, _w in WEIGHTS], weights=[w for _r, w in WEIGHTS])[0]
            comment = rng.choice(COMMENTS[rating])
            feedback.feedback_give(actor=None, order=order, rating=rating, comment=comment)
        made += 1
    context.say(f"{made} customer ratings")
