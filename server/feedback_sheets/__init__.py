"""反馈单 sent and acknowledged: the community secretary's sheets to employer units (一单)."""
