"""流动党员双向反馈: floating members' registration, identity confirmation, activity record,
the secretary's yearly comment, the letters to the home branch and their receipts."""
