256 SHA256:OJSGu/FHdHGYqZWIz9qLKb6Rv8mcigQAvrvJIxx/9xk fixture ecdsa256 (ECDSA)
