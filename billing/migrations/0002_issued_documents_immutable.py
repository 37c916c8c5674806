from django.db import migrations

# An issued invoice never changes and is never removed: only what payments and credit notes
# keep (amount_credited, amount_paid, status) may move. A held invoice (no number yet) follows
# its order and may be rewritten or removed. Credit notes and the lines of issued documents
# are append-only. The database refuses anything else, whatever code or person tries.
SQL = """
CREATE FUNCTION billing_invoice_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'held' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' OR (
        NEW.number, NEW.order_id, NEW.shipment_id, NEW.customer_id, NEW.issue_date,
        NEW.due_date, NEW.payment_terms, NEW.subtotal, NEW.tax_total, NEW.shipping_fee,
        NEW.total, NEW.fapiao_type, NEW.buyer_name, NEW.taxpayer_id, NEW.buyer_address,
        NEW.buyer_phone, NEW.buyer_bank, NEW.buyer_account
    ) IS DISTINCT FROM (
        OLD.number, OLD.order_id, OLD.shipment_id, OLD.customer_id, OLD.issue_date,
        OLD.due_date, OLD.payment_terms, OLD.subtotal, OLD.tax_total, OLD.shipping_fee,
        OLD.total, OLD.fapiao_type, OLD.buyer_name, OLD.taxpayer_id, OLD.buyer_address,
        OLD.buyer_phone, OLD.buyer_bank, OLD.buyer_account
    ) OR NEW.status = 'held' THEN
        RAISE EXCEPTION 'invoice % is issued: it cannot be changed (%); issue a credit note',
            OLD.number, TG_OP USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoice_immutable
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();

CREATE FUNCTION billing_invoiceline_immutable() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND status <> 'held') THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot be changed (%)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoiceline_immutable
    BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_immutable();

CREATE FUNCTION billing_credit_note_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credit notes are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_creditnote_append_only
    BEFORE UPDATE OR DELETE ON billing_creditnote
    FOR EACH ROW EXECUTE FUNCTION billing_credit_note_append_only();

CREATE TRIGGER billing_creditnoteline_append_only
    BEFORE UPDATE OR DELETE ON billing_creditnoteline
    FOR EACH ROW EXECUTE FUNCTION billing_credit_note_append_only();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS billing_invoice_immutable ON billing_invoice;
DROP TRIGGER IF EXISTS billing_invoiceline_immutable ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_creditnote_append_only ON billing_creditnote;
DROP TRIGGER IF EXISTS billing_creditnoteline_append_only ON billing_creditnoteline;
DROP FUNCTION IF EXISTS billing_invoice_immutable();
DROP FUNCTION IF EXISTS billing_invoiceline_immutable();
DROP FUNCTION IF EXISTS billing_credit_note_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
