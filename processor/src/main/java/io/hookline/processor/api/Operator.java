package io.hookline.processor.api;

/** Who called the API, and what they may do. */
public record Operator(String name, Role role, String via) {

    public enum Role {
        /** Jobs, alerts, silences, dead letters and quarantine: looking only. */
        READ,
        /** Also silences, replays and test messages: changing what people are told. */
        OPERATE;

        public boolean allows(Role needed) {
            return this == OPERATE || needed == READ;
        }

        public static Role parse(String text) {
            return switch (text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "read" -> READ;
                case "operate" -> OPERATE;
                default -> null;
            };
        }
    }

    /** The identity of calls when authentication is switched off. */
    public static final Operator ANONYMOUS = new Operator("anonymous", Role.OPERATE, "auth-disabled");
}
