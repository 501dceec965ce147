521 SHA256:0JohXI1L3RtvuVOYRy85XlbzWhDC4+XfK5eYlR2m0Zs fixture ecdsa521 encrypted (ECDSA)
