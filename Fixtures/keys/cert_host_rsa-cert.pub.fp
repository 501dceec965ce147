2048 SHA256:ZinhOVKAC3SufpcCJhxe+BHR5hOimpYpesybI59Q6t4 fixture host (RSA-CERT)
