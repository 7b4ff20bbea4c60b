# Keel sources each unit test links (UNIT_SRCS_<test>).
