256 SHA256:3pIMyriDcgWnnjbyWqyLRfKUV+DdgxnYinRyE319ERU fixture aes128-ctr (ED25519)
