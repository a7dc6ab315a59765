package io.hookline.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RequestTargetsTest {

    @Test
    void aTargetJavaParsesHasNoMalformation() {
        assertNull(RequestTargets.malformation("/hooks/xsibackup/tok/success?UElEPTEyMw=="));
        assertNull(RequestTargets.malformation("/ping/tok/db%20one?rid=1&x=%2F"));
    }

    @Test
    void aMalformationSaysWhatAndWhereWithoutTheTarget() {
        String target = "/hooks/xsibackup/secret-token/success?%%%";
        assertEquals("malformed escape pair at character 39", RequestTargets.malformation(target));
        assertEquals("illegal character in query at character 7", RequestTargets.malformation("/a?b=c|d"));
        assertFalse(RequestTargets.malformation("/secret-token/{x}").contains("secret-token"));
    }
}
