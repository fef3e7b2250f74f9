// SPDX-License-Identifier: GPL-2.0
/*
 * The wire codec: blocks back-patch their lengths, every read is bounded,
 * a block must be consumed exactly, and the first error sticks.
 */
#include <errno.h>
#include <string.h>

#include "codec.h"
#include "kselftest_harness.h"

TEST(writer_back_patches_nested_blocks)
{
	static const uint8_t want[] = {
		0x16, 0x00, 0x00, 0x07, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, 0xff,
	};
	struct wbuf w;
	size_t outer, inner;

	wbuf_init(&w, 0);
	wbuf_put8(&w, 0x16);
	outer = wbuf_open(&w, 3);
	inner = wbuf_open(&w, 2);
	wbuf_put(&w, "\x01\x02\x03\x04", 4);
	wbuf_close(&w, inner, 2);
	wbuf_put8(&w, 0xff);
	wbuf_close(&w, outer, 3);
	ASSERT_EQ(0, w.err);
	ASSERT_EQ(sizeof(want), w.len);
	EXPECT_EQ(0, memcmp(want, w.base, w.len));
	wbuf_wipe(&w);
	EXPECT_EQ(NULL, w.base);
}

TEST(writer_refuses_block_too_long_for_prefix)
{
	uint8_t big[300] = { 0 };
	struct wbuf w;
	size_t m;

	wbuf_init(&w, 0);
	m = wbuf_open(&w, 1);
	wbuf_put(&w, big, sizeof(big));
	wbuf_close(&w, m, 1);
	EXPECT_EQ(-EMSGSIZE, w.err);
	wbuf_wipe(&w);
}

TEST(writer_honours_its_limit_and_error_sticks)
{
	uint8_t big[100] = { 0 };
	struct wbuf w;

	wbuf_init(&w, 64);
	wbuf_put(&w, big, 60);
	EXPECT_EQ(0, w.err);
	wbuf_put(&w, big, 10);
	EXPECT_EQ(-EMSGSIZE, w.err);
	wbuf_put8(&w, 1);
	EXPECT_EQ(60, w.len);
	wbuf_wipe(&w);
}

TEST(writer_grows_past_initial_capacity)
{
	struct wbuf w;
	int i;

	wbuf_init(&w, 0);
	for (i = 0; i < 5000; i++)
		wbuf_put16(&w, i);
	ASSERT_EQ(0, w.err);
	ASSERT_EQ(10000, w.len);
	EXPECT_EQ(0x13, w.base[9998]);
	EXPECT_EQ(0x87, w.base[9999]);
	wbuf_wipe(&w);
}

TEST(reader_reads_integers_big_endian)
{
	static const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };
	struct rbuf r;

	rbuf_init(&r, in, sizeof(in));
	EXPECT_EQ(0x01, rbuf_get8(&r));
	EXPECT_EQ(0x0203, rbuf_get16(&r));
	EXPECT_EQ(0x040506, rbuf_get24(&r));
	EXPECT_EQ(0, rbuf_done(&r));
}

TEST(reader_overrun_is_decode_error_and_sticks)
{
	static const uint8_t in[] = { 0x01, 0x02 };
	struct rbuf r;

	rbuf_init(&r, in, sizeof(in));
	EXPECT_EQ(0, rbuf_get24(&r));
	EXPECT_EQ(-EBADMSG, r.err);
	EXPECT_EQ(0, rbuf_get8(&r));
	EXPECT_EQ(0, rbuf_left(&r));
	EXPECT_EQ(-EBADMSG, rbuf_done(&r));
}

TEST(block_longer_than_parent_is_refused)
{
	static const uint8_t in[] = { 0x00, 0x05, 0x01, 0x02 };
	struct rbuf r, sub;

	rbuf_init(&r, in, sizeof(in));
	rbuf_block(&r, 2, 0, 100, &sub);
	EXPECT_EQ(-EBADMSG, r.err);
	EXPECT_EQ(-EBADMSG, sub.err);
	EXPECT_EQ(0, rbuf_left(&sub));
}

TEST(block_length_bounds_are_enforced)
{
	static const uint8_t in[] = { 0x01, 0xaa };
	struct rbuf r, sub;

	rbuf_init(&r, in, sizeof(in));
	rbuf_block(&r, 1, 2, 10, &sub);
	EXPECT_EQ(-EBADMSG, r.err);
}

TEST(block_must_be_consumed_exactly)
{
	static const uint8_t in[] = { 0x03, 0xaa, 0xbb, 0xcc, 0x7f };
	struct rbuf r, sub;

	rbuf_init(&r, in, sizeof(in));
	rbuf_block(&r, 1, 0, 255, &sub);
	EXPECT_EQ(0xaabb, rbuf_get16(&sub));
	EXPECT_EQ(-EBADMSG, rbuf_done(&sub));
	rbuf_join(&r, &sub);
	EXPECT_EQ(-EBADMSG, r.err);
}

TEST(nested_blocks_decode)
{
	static const uint8_t in[] = { 0x00, 0x04, 0x02, 0x11, 0x22, 0x33 };
	struct rbuf r, outer, inner;

	rbuf_init(&r, in, sizeof(in));
	rbuf_block(&r, 2, 1, 65535, &outer);
	rbuf_block(&outer, 1, 1, 255, &inner);
	EXPECT_EQ(0x1122, rbuf_get16(&inner));
	EXPECT_EQ(0, rbuf_done(&inner));
	EXPECT_EQ(0x33, rbuf_get8(&outer));
	EXPECT_EQ(0, rbuf_done(&outer));
	EXPECT_EQ(0, rbuf_done(&r));
}

TEST(copy_past_end_zero_fills)
{
	static const uint8_t in[] = { 0x01 };
	uint8_t out[4] = { 9, 9, 9, 9 };
	struct rbuf r;

	rbuf_init(&r, in, sizeof(in));
	rbuf_copy(&r, out, sizeof(out));
	EXPECT_EQ(-EBADMSG, r.err);
	EXPECT_EQ(0, out[0] | out[1] | out[2] | out[3]);
}

TEST_HARNESS_MAIN
