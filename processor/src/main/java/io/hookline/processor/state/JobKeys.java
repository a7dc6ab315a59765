package io.hookline.processor.state;

import java.util.Comparator;

/**
 * The order of job keys as their UTF-8 bytes compare, the order the state stores keep them in, so that a page read
 * from the stores (or from {@code JobIndex}) from a cursor on is the page a walk over every job would give. It is the
 * text's order but where characters above U+FFFF meet those from U+E000 up; UTF-8's byte order is the order of code
 * points, so the keys are compared as code points, without encoding them.
 */
public final class JobKeys {

    public static final Comparator<String> ORDER = JobKeys::compare;

    private JobKeys() {
    }

    static int compare(String a, String b) {
        int common = Math.min(a.length(), b.length());
        for (int i = 0; i < common; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                // The same text before: both start a code point here, or both are the low halves of one. A
                // character above U+FFFF (a surrogate here) is above every one below; otherwise the units compare
                // as their code points do.
                boolean xAbove = Character.isSurrogate(x);
                if (xAbove != Character.isSurrogate(y)) {
                    return xAbove ? 1 : -1;
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }
}
