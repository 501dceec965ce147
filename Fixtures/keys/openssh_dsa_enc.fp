1024 SHA256:lT2b67OR//IOxN4HH3btoVvJj2VEJe1QBaTOCXLAj/M fixture dsa encrypted (DSA)
