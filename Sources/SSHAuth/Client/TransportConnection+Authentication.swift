import SSHTransport

/// A client transport connection is what the authenticator runs over.
extension TransportConnection: AuthenticationTransport {}
