package io.hookline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * What a bench does with its command line before it starts anything: the options its usage names, with their
 * defaults; --help; and one sentence for whatever it cannot use, where it once ran for minutes with the option
 * ignored or ended with a NumberFormatException.
 */
class BenchOptionsTest {

    @Test
    void theOptionsGivenAreReadAndTheOthersKeepTheirDefaults() {
        BenchOptions options = BenchOptions.read(ProcessorAtScale.USAGE,
                new String[] {"--root", "/repo", "--jobs", "50000", "--processor-heap", "614m"});
        assertEquals(Path.of("/repo"), options.root());
        assertEquals(50_000, options.count("jobs", 100_000, 1, 1_000_000));
        assertEquals(1_000_000, options.count("events", 1_000_000, 1, 100_000_000));
        assertEquals("614m", options.heap("processor-heap", "256m"));
        assertEquals("wrk", BenchOptions.read(XsiBackupThroughput.USAGE, new String[0]).choice("client", "wrk", "wrk", "java"));
        assertEquals("java", BenchOptions.read(XsiBackupThroughput.USAGE, new String[] {"--client", "java"})
                .choice("client", "wrk", "wrk", "java"));
    }

    @Test
    void helpIsAskedForAnywhereOnTheLine() {
        assertThrows(BenchOptions.Help.class, () -> BenchOptions.read(ProcessorAtScale.USAGE, new String[] {"--help"}));
        assertThrows(BenchOptions.Help.class,
                () -> BenchOptions.read(ProcessorAtScale.USAGE, new String[] {"--root", "/repo", "-h"}));
    }

    @Test
    void anOptionTheBenchDoesNotKnowOrWithoutItsValueIsRefusedWithASentence() {
        assertEquals("unknown option '--job'", refused(ProcessorAtScale.USAGE, "--job", "5"));
        assertEquals("unknown option 'jobs'", refused(ProcessorAtScale.USAGE, "jobs", "5"));
        assertEquals("--jobs needs a value", refused(ProcessorAtScale.USAGE, "--jobs"));
        assertEquals("--jobs needs a value", refused(ProcessorAtScale.USAGE, "--jobs", "--events", "5"));
        assertEquals("--jobs is given twice", refused(ProcessorAtScale.USAGE, "--jobs", "5", "--jobs", "6"));
        // Another bench's option is not this one's.
        assertEquals("unknown option '--rate'", refused(HookParsing.USAGE, "--rate", "5"));
    }

    @Test
    void aValueTheBenchCannotUseIsRefusedNamingTheOption() {
        BenchOptions options = BenchOptions.read(ProcessorAtScale.USAGE, new String[] {"--jobs", "lots", "--events",
            "0", "--lead", "99999999999", "--window", "2000000000", "--processor-heap", "lots"});
        assertEquals("--jobs must be a whole number from 1 to 1000000, not 'lots'",
                assertThrows(BenchOptions.Refused.class, () -> options.count("jobs", 100_000, 1, 1_000_000)).getMessage());
        assertEquals("--events must be a whole number from 1 to 100000000, not '0'",
                assertThrows(BenchOptions.Refused.class,
                        () -> options.count("events", 1_000_000, 1, 100_000_000)).getMessage());
        assertEquals("--lead must be a whole number from 1 to 3600, not '99999999999'",
                assertThrows(BenchOptions.Refused.class, () -> options.count("lead", 60, 1, 3600)).getMessage());
        // A whole number the bench could not hold: refused before a broker starts, not an OutOfMemoryError later.
        assertEquals("--window must be a whole number from 1 to 86400, not '2000000000'",
                assertThrows(BenchOptions.Refused.class, () -> options.count("window", 60, 1, 86_400)).getMessage());
        assertEquals("--processor-heap must be a heap size such as 256m or 1g, not 'lots'",
                assertThrows(BenchOptions.Refused.class, () -> options.heap("processor-heap", "256m")).getMessage());
        BenchOptions client = BenchOptions.read(XsiBackupThroughput.USAGE, new String[] {"--client", "curl"});
        assertEquals("--client must be one of wrk, java, not 'curl'",
                assertThrows(BenchOptions.Refused.class, () -> client.choice("client", "wrk", "wrk", "java")).getMessage());
    }

    @Test
    void aRunOfMoreHooksThanTheAlertBenchCanTimeIsRefusedBeforeItStarts() {
        assertEquals(90_000, HookToAlert.hooks(1000, 60, 30));
        // 100,000 a second for an hour would overflow an int and end in NegativeArraySizeException.
        assertEquals("--rate × (--warmup-seconds + --seconds) is 367200000 hooks; the bench keeps the times of at most"
                + " 20000000", assertThrows(BenchOptions.Refused.class,
                        () -> HookToAlert.hooks(100_000, 72, 3600)).getMessage());
        assertEquals("--rate × (--warmup-seconds + --seconds) is 4294967294000 hooks; the bench keeps the times of at"
                + " most 20000000", assertThrows(BenchOptions.Refused.class,
                        () -> HookToAlert.hooks(Integer.MAX_VALUE, 1000, 1000)).getMessage());
    }

    @Test
    void everyBenchNamesItsOwnCommandFirstInItsUsage() {
        for (String usage : new String[] {XsiBackupThroughput.USAGE, ProcessorAtScale.USAGE, HookToAlert.USAGE,
            HookParsing.USAGE, AgentLongPolls.USAGE, CommandExpiries.USAGE, RetentionDecisions.USAGE,
            ChainedCommands.USAGE}) {
            String command = usage.split(" ", 2)[0];
            assertEquals(true, command.startsWith("bench/") && Path.of("..", command).toFile().canExecute(),
                    command + " is not a script in bench/");
        }
    }

    private static String refused(String usage, String... args) {
        return assertThrows(BenchOptions.Refused.class, () -> BenchOptions.read(usage, args)).getMessage();
    }
}
