-- The batches a payee's next payout pays (issue 11): the unpaid lines of one payee that the
-- budgets paid, by batch. `store::payouts::unpaid_batch_references` reads the distinct batch
-- ids of a payee from this index alone, so a payout's cost grows with its own lines and
-- batches, not with the whole declaration_line table (before, one statement visited every
-- batch and, for each, every unpaid line of the payee: 15.8 s at 1,500 batches).
CREATE INDEX declaration_line_payee_unpaid_batch
    ON declaration_line (payee_id, declaration_batch_id)
    WHERE payout_id IS NULL AND budget_paid_cents <> 0;
