-- The portal's statement lists every declaration line about a participant, rejected ones too;
-- the older index leaves rejected lines out (it serves duplicate checks).
CREATE INDEX declaration_line_participant_all ON declaration_line (participant_id, treatment_date);
