package io.hookline.gateway.xsibackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Every shape of query string XSIBackup and the proxies between it and us produce (sources.md). */
class XsiBackupQueryTest {

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static final String CMD = "--backup-point=/vmfs/volumes/backup --backup-type=custom "
            + "--backup-vms=\"VM1,VM2!disk1;disk2\" --backup-how=hot --backup-id=04";
    static final String LIST = "PID=48211|t=347|cmd=" + b64(CMD) + "|err=" + b64("VM1: snapshot failed\n");

    private static XsiBackupQuery.Decoded decoded(String query) {
        XsiBackupQuery.Result result = XsiBackupQuery.decode(query);
        assertNull(result.rejection(), () -> "refused: " + result.rejection());
        return result.decoded();
    }

    private static void assertTypicalFields(XsiBackupQuery.Decoded decoded) {
        assertEquals("48211", decoded.field("PID").orElseThrow());
        assertEquals("347", decoded.field("t").orElseThrow());
        assertEquals(CMD, XsiBackupQuery.decodeField(decoded.field("cmd").orElseThrow()));
        assertEquals("VM1: snapshot failed", XsiBackupQuery.decodeField(decoded.field("err").orElseThrow()));
    }

    @Test
    void standardBase64IsDecodedIntoItsPairs() {
        assertTypicalFields(decoded(b64(LIST)));
    }

    @Test
    void missingPaddingIsAccepted() {
        String query = b64(LIST + "|x=1").replaceAll("=+$", "");
        assertTypicalFields(decoded(query));
        assertEquals("1", decoded(query).field("x").orElseThrow());
    }

    @Test
    void urlSafeAlphabetIsAccepted() {
        String query = Base64.getUrlEncoder().withoutPadding().encodeToString((LIST + "|note=??>>").getBytes(StandardCharsets.UTF_8));
        assertEquals("??>>", decoded(query).field("note").orElseThrow());
    }

    @Test
    void plusTurnedIntoASpaceByAProxyIsRestored() {
        String query = b64(LIST + "|note=>>>?").replace('+', ' ');
        assertEquals(">>>?", decoded(query).field("note").orElseThrow());
    }

    @Test
    void percentEncodedQueryIsDecodedFirst() {
        String query = URLEncoder.encode(b64(LIST + "|note=>>>?"), StandardCharsets.UTF_8);
        assertEquals(">>>?", decoded(query).field("note").orElseThrow());
    }

    @Test
    void trailingNewlineInsideTheDecodedTextIsIgnored() {
        XsiBackupQuery.Decoded decoded = decoded(b64("PID=77|t=12\n"));
        assertEquals("12", decoded.field("t").orElseThrow());
    }

    @Test
    void emptyErrIsAnEmptyErrorList() {
        XsiBackupQuery.Decoded decoded = decoded(b64("PID=77|t=12|err="));
        assertEquals("", XsiBackupQuery.decodeField(decoded.field("err").orElseThrow()));
        assertEquals(List.of(), XsiBackupHook.errorEntries(""));
    }

    @Test
    void unknownKeysAreKeptInOrder() {
        XsiBackupQuery.Decoded decoded = decoded(b64("PID=9|hostname=esxi01|IP=10.0.0.5|vms=VM1,VM2"));
        assertEquals(List.of("PID", "hostname", "IP", "vms"), List.copyOf(decoded.fields().keySet()));
    }

    @Test
    void aListThatArrivesAlreadyDecodedIsAcceptedGenerously() {
        assertEquals("5", decoded("PID=5|t=1").field("PID").orElseThrow());
    }

    @Test
    void aPlainCmdThatIsNotBase64IsTakenAsText() {
        assertEquals("--backup-id=07", XsiBackupQuery.decodeField("--backup-id=07"));
    }

    @Test
    void garbageIsRefusedAsNotBase64() {
        XsiBackupQuery.Result result = XsiBackupQuery.decode("!!!definitely*not*base64");
        assertEquals(400, result.rejection().status());
        assertEquals("not-base64", result.rejection().reason());
        assertEquals("the query string is not base64 of KEY=value|KEY=value text", result.rejection().message());
    }

    @Test
    void base64OfBinaryIsRefusedAsNotText() {
        String query = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3});
        assertEquals("not-base64", XsiBackupQuery.decode(query).rejection().reason());
    }

    @Test
    void textBeyondAsciiDecodesAsUtf8() {
        String query = b64(LIST + "|note=Büro-Server ✓ Größe 42 € 😀");
        assertEquals("Büro-Server ✓ Größe 42 € 😀", decoded(query).field("note").orElseThrow());
        assertEquals("Sauvegarde échouée: VM «Compta»", XsiBackupQuery.decodeField(b64("Sauvegarde échouée: VM «Compta»")));
    }

    @Test
    void lineBreaksInsideTheBase64AndAroundItsPaddingAreSkipped() {
        String wrapped = java.util.Base64.getMimeEncoder(16, "\r\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString((LIST + "|x=1").getBytes(StandardCharsets.UTF_8));
        assertTypicalFields(decoded(wrapped + "\n"));
        assertEquals("ab", XsiBackupQuery.decodeField("YW\nI=\r\n="));
    }

    @Test
    void bytesThatAreNotUtf8TextAreRefused() {
        // é in ISO-8859-1, a lone continuation byte, a control character, DEL: valid base64, not text.
        for (byte[] bytes : List.of("PID=1|t=é".getBytes(StandardCharsets.ISO_8859_1), new byte[] {'P', '=', (byte) 0x80},
                "PID=1|t=\u0001".getBytes(StandardCharsets.US_ASCII), "PID=1|t=\u007f".getBytes(StandardCharsets.US_ASCII))) {
            String query = Base64.getEncoder().encodeToString(bytes);
            assertEquals("not-base64", XsiBackupQuery.decode(query).rejection().reason(), query);
        }
        // A field that is not base64 of text is kept as it was sent.
        String latin1 = Base64.getEncoder().encodeToString("é".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(latin1, XsiBackupQuery.decodeField(latin1));
    }

    @Test
    void paddingInsideOrALoneSixBitsAreNotBase64() {
        assertEquals("YW=I", XsiBackupQuery.decodeField("YW=I"));
        assertEquals("YWJjZ", XsiBackupQuery.decodeField("YWJjZ"));
        assertEquals("abc", XsiBackupQuery.decodeField("YWJj"));
    }

    @Test
    void aMissingQueryIsRefusedWithWhatXsiBackupShouldHaveSent() {
        XsiBackupQuery.Result result = XsiBackupQuery.decode(null);
        assertEquals("missing-query", result.rejection().reason());
    }

    @Test
    void base64TextWithoutPairsIsRefused() {
        assertEquals("no-fields", XsiBackupQuery.decode(b64("just a sentence")).rejection().reason());
    }

    @Test
    void errorListIsSplitPerLineAndHtmlBreak() {
        assertEquals(List.of("VM1: snapshot failed", "VM2: disk full", "VM3: timeout"),
                XsiBackupHook.errorEntries("VM1: snapshot failed\r\n<b>VM2: disk full</b><br/>VM3: timeout\n\n"));
    }

    @Test
    void errorListSplitsEveryKindOfLineBreakAndRemovesTags() {
        assertEquals(List.of("a", "b", "c", "d", "e", "f"),
                XsiBackupHook.errorEntries("a<BR>b<br >c<Br\t/>d<br\r\n/>e\r\n\r\nf"));
        assertEquals(List.of("x\ry", "z", "a <> b", "<br", "1 < 2"),
                XsiBackupHook.errorEntries("x\ry\n<brr>z\n<i>a <> b</i>\n<br\n1 < 2"));
        assertEquals(List.of("only"), XsiBackupHook.errorEntries("<p><b>only</b></p>"));
        assertEquals(List.of(), XsiBackupHook.errorEntries("<br/><br/>\n<i></i>"));
    }

    /** The regular expressions errorEntries replaced, kept as the statement of what it must do. */
    private static List<String> byRegex(String text) {
        List<String> entries = new java.util.ArrayList<>();
        if (text.isBlank()) {
            return entries;
        }
        for (String line : java.util.regex.Pattern.compile("(?i)\\r?\\n|<br\\s*/?>").split(text)) {
            String entry = line.replaceAll("<[^>]+>", "").strip();
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return entries;
    }

    @Test
    void errorListIsWhatTheRegularExpressionsGaveForRandomTexts() {
        String[] pieces = {"\r", "\n", "\r\n", "<", ">", "<>", "b", "B", "r", "R", "/", " ", "\t", "\u000B", "\f",
            "x", "\u00e9", "<br>", "<BR />", "<bR\t/>", "<br/", "<b>", "</i>", "<br", "\u2028", "\u00a0"};
        java.util.Random random = new java.util.Random(20261205L);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String given = text.toString();
            assertEquals(byRegex(given), XsiBackupHook.errorEntries(given), () -> "for " + given.replace("\r", "\\r")
                    .replace("\n", "\\n"));
        }
    }
}
