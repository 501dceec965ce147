256 SHA256:yaG/bgbAUJBMOcHLCpZ3gwm5+m6ifUgDn6yzKfUcPUQ no comment (ED25519)
