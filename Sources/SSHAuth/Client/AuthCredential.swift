import SSHCrypto
import SSHWire

/// One way to prove who we are, tried by ``UserAuthClient`` when the server allows its method.
public enum AuthCredential: Sendable {
    /// `password` (RFC 4252 §8).
    case password(String)
    /// `password` (RFC 4252 §8) asked for when its turn comes, as ssh prompts for it; nil passes on
    /// to the next credential.
    case passwordPrompt(@Sendable () async -> String?)
    /// `publickey` (RFC 4252 §7) with a file key, an agent key or a certified key
    /// (``CertifiedSigner``).
    case publicKey(any SSHSigner)
    /// `keyboard-interactive` (RFC 4256): the responder answers each round of prompts; nil gives up.
    case keyboardInteractive(KeyboardInteractiveResponder)
    /// `hostbased` (RFC 4252 §9): the client host's key, its name and the local user name.
    case hostBased(any SSHSigner, clientHostName: String, clientUserName: String)
    /// `gssapi-with-mic` (RFC 4462 §3) with the Kerberos V5 ticket cache (`KRB5CCNAME`).
    case gssapi(GSSAPICredential)
    /// `gssapi-keyex` (RFC 4462 §4): the context of a GSS-API key exchange proves who we are;
    /// passed over when the key exchange was another.
    case gssapiKeyExchange

    /// The method name this credential is tried under.
    public var method: String {
        switch self {
        case .password, .passwordPrompt: "password"
        case .publicKey: "publickey"
        case .keyboardInteractive: "keyboard-interactive"
        case .hostBased: "hostbased"
        case .gssapi: "gssapi-with-mic"
        case .gssapiKeyExchange: "gssapi-keyex"
        }
    }

    /// Whether trying this credential may ask our user something (a password, a keyboard-interactive
    /// round), so that it waits until the server has said it allows the method.
    public var asksUser: Bool {
        switch self {
        case .passwordPrompt, .keyboardInteractive: true
        default: false
        }
    }

    /// `keyboard-interactive` answering every prompt that asks for a password with `password`
    /// (what Paramiko's `auth_interactive_dumb` and OpenSSH do with PAM's "Password:" prompt);
    /// a round with any other prompt gives up.
    public static func keyboardInteractivePassword(_ password: String) -> AuthCredential {
        .keyboardInteractive { challenge in keyboardInteractiveAnswers(challenge, password) }
    }

    /// `password` for every prompt of `challenge` when each asks for a password; nil otherwise.
    public static func keyboardInteractiveAnswers(_ challenge: KeyboardInteractiveChallenge, _ password: String)
        -> [String]?
    {
        guard challenge.prompts.allSatisfy({ $0.prompt.lowercased().contains("password") }) else { return nil }
        return challenge.prompts.map { _ in password }
    }
}

/// One round of keyboard-interactive prompts (RFC 4256 §3.2).
public struct KeyboardInteractiveChallenge: Sendable, Hashable {
    /// One prompt and whether the answer may be shown as it is typed (RFC 4256 §3.2).
    public typealias Prompt = UserAuthInfoRequestMessage.Prompt

    /// The name of the round, for a window title.
    public var name: String
    /// Instructions to show before the prompts.
    public var instruction: String
    /// The prompts, possibly none (a round the client answers with no responses).
    public var prompts: [Prompt]

    /// A round of prompts.
    public init(name: String, instruction: String, prompts: [Prompt]) {
        self.name = name
        self.instruction = instruction
        self.prompts = prompts
    }
}

/// Answers a keyboard-interactive round; nil gives the method up.
public typealias KeyboardInteractiveResponder = @Sendable (KeyboardInteractiveChallenge) async throws -> [String]?
