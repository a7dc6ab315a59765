package io.hookline.gateway.xsibackup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.hookline.gateway.secrets.SecretScrubber;
import io.hookline.schema.XsiBackupVm;

/**
 * The argument list of an XSIBackup run ({@code cmd}): {@code --backup-point=/vmfs/volumes/backup
 * --backup-vms="VM1,VM2!disk1;disk2" --backup-id=04 ...}. Gives the job's identity and the parts worth knowing.
 */
public final class XsiBackupCommand {

    /** Arguments about notifying or reporting: changing them does not make another job. */
    private static final List<String> NOT_JOB_DEFINING = List.of("mail-", "smtp-", "use-smtp", "subject",
            "description", "on-success", "on-error", "html-", "debug", "verbose", "exec-");

    private final Map<String, String> arguments;
    private final String scrubbed;

    private XsiBackupCommand(Map<String, String> arguments, String scrubbed) {
        this.arguments = arguments;
        this.scrubbed = scrubbed;
    }

    public static XsiBackupCommand parse(String commandLine) {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (String token : tokenize(commandLine == null ? "" : commandLine)) {
            if (!token.startsWith("-")) {
                continue;
            }
            int dashes = 0;
            while (dashes < token.length() && token.charAt(dashes) == '-') {
                dashes++;
            }
            String name = token.substring(dashes);
            int equals = name.indexOf('=');
            if (equals >= 0) {
                arguments.put(name.substring(0, equals).toLowerCase(Locale.ROOT), unquote(name.substring(equals + 1)));
            } else if (!name.isEmpty()) {
                arguments.put(name.toLowerCase(Locale.ROOT), "");
            }
        }
        return new XsiBackupCommand(arguments, SecretScrubber.scrub(commandLine));
    }

    /** The command line with secrets replaced by ***: the only form that leaves the gateway. */
    public String scrubbed() {
        return scrubbed;
    }

    public Optional<String> argument(String name) {
        String value = arguments.get(name);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    public boolean isEmpty() {
        return arguments.isEmpty();
    }

    public Optional<String> backupId() {
        return argument("backup-id");
    }

    /**
     * The job's stable identity: {@code --backup-id} when present, otherwise {@code cmd-} and a digest of the
     * job-defining arguments (sorted, so that their order does not matter; secrets and mail settings left out).
     */
    public Optional<String> identity() {
        Optional<String> id = backupId();
        if (id.isPresent()) {
            return id;
        }
        Map<String, String> defining = new TreeMap<>();
        arguments.forEach((name, value) -> {
            boolean reporting = NOT_JOB_DEFINING.stream().anyMatch(name::startsWith);
            if (!reporting && !SecretScrubber.isSecretName(name)) {
                defining.put(name, value);
            }
        });
        if (defining.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder canonical = new StringBuilder();
        defining.forEach((name, value) -> canonical.append(name).append('=').append(value).append('\n'));
        return Optional.of("cmd-" + sha256(canonical.toString()).substring(0, 12));
    }

    /** {@code VM1,VM2!disk1;disk2}: VM1 whole, VM2 with two disks. */
    public List<XsiBackupVm> vms() {
        List<XsiBackupVm> vms = new ArrayList<>();
        for (String entry : argument("backup-vms").orElse("").split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int bang = trimmed.indexOf('!');
            List<String> disks = new ArrayList<>();
            if (bang >= 0) {
                for (String disk : trimmed.substring(bang + 1).split(";")) {
                    if (!disk.isBlank()) {
                        disks.add(disk.strip());
                    }
                }
            }
            vms.add(XsiBackupVm.newBuilder().setName((bang >= 0 ? trimmed.substring(0, bang) : trimmed).strip())
                    .setDisks(disks).build());
        }
        return vms;
    }

    /** Splits on white space outside single or double quotes; a token keeps its quotes. */
    static List<String> tokenize(String line) {
        List<String> tokens = new ArrayList<>();
        int start = -1;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (Character.isWhitespace(c)) {
                if (start >= 0) {
                    tokens.add(line.substring(start, i));
                    start = -1;
                }
            } else {
                if (c == '"' || c == '\'') {
                    quote = c;
                }
                if (start < 0) {
                    start = i;
                }
            }
        }
        if (start >= 0) {
            tokens.add(line.substring(start));
        }
        return tokens;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            return value.substring(1, value.length() - 1);
        }
        return value.replace("\"", "").replace("'", "");
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
