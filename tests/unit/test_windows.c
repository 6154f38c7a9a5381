/*
 * test_windows: the NetBIOS, SMB and NTLMSSP parsers on real bytes, and
 * the SMB job against hostile servers on loopback.
 *
 * Recorded bytes: the CHALLENGE_MESSAGE examples of Microsoft's [MS-NLMP]
 * section 4.2.3.3 (NTLMv1 with client challenge) and 4.2.4.3 (NTLMv2),
 * as printed in the specification (also Chromium's
 * net/ntlm/ntlm_test_data.h kChallengeMsgV1 / kChallengeMsgFromSpecV2;
 * illustrative vectors with placeholder names, not a capture), three
 * challenges real Windows hosts sent, with DNS names (sources below), and
 * the NEGOTIATE and SESSION_SETUP answers of Samba 4.17.12 (Debian 12)
 * captured with tcpdump from `netcensus discover` against a standalone
 * smbd (netbios name LAB-SMB-T, host name vm, signing mandatory).
 */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include "testlib.h"

#include "probe/netbios.h"
#include "probe/netio.h"
#include "probe/ntlm.h"
#include "probe/rdp.h"
#include "probe/smb.h"

/* [MS-NLMP] 4.2.4.3 */
static const uint8_t nlmp_v2_challenge[] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x0c, 0x00, 0x0c, 0x00, 0x38, 0x00, 0x00, 0x00, 0x33, 0x82, 0x8a, 0xe2,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x24, 0x00, 0x44, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x70, 0x17, 0x00, 0x00, 0x00, 0x0f, 0x53, 0x00, 0x65, 0x00,
	0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72, 0x00, 0x02, 0x00, 0x0c, 0x00,
	0x44, 0x00, 0x6f, 0x00, 0x6d, 0x00, 0x61, 0x00, 0x69, 0x00, 0x6e, 0x00,
	0x01, 0x00, 0x0c, 0x00, 0x53, 0x00, 0x65, 0x00, 0x72, 0x00, 0x76, 0x00,
	0x65, 0x00, 0x72, 0x00, 0x00, 0x00, 0x00, 0x00};

/* [MS-NLMP] 4.2.3.3 */
static const uint8_t nlmp_v1_challenge[] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x0c, 0x00, 0x0c, 0x00, 0x38, 0x00, 0x00, 0x00, 0x33, 0x82, 0x0a, 0x82,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x00, 0x70, 0x17, 0x00, 0x00, 0x00, 0x0f, 0x53, 0x00, 0x65, 0x00,
	0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72, 0x00};

/* Samba 4.17.12: the SMB2 NEGOTIATE and SESSION_SETUP answers */
static const unsigned char samba_session_setup[] = {
	0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x01, 0x00, 0x16, 0x00, 0x00, 0xc0,
	0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xdd, 0xa2, 0xaa, 0x3f, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x48, 0x00, 0xb1, 0x00,
	0xa1, 0x81, 0xae, 0x30, 0x81, 0xab, 0xa0, 0x03, 0x0a, 0x01, 0x01, 0xa1,
	0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02,
	0x0a, 0xa2, 0x81, 0x95, 0x04, 0x81, 0x92, 0x4e, 0x54, 0x4c, 0x4d, 0x53,
	0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00, 0x12, 0x00, 0x12, 0x00, 0x38,
	0x00, 0x00, 0x00, 0x05, 0x82, 0x8a, 0xe2, 0x20, 0x88, 0x9b, 0xc4, 0x26,
	0xb6, 0x9b, 0x96, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x48,
	0x00, 0x48, 0x00, 0x4a, 0x00, 0x00, 0x00, 0x06, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x0f, 0x4c, 0x00, 0x41, 0x00, 0x42, 0x00, 0x2d, 0x00, 0x53,
	0x00, 0x4d, 0x00, 0x42, 0x00, 0x2d, 0x00, 0x54, 0x00, 0x02, 0x00, 0x12,
	0x00, 0x4c, 0x00, 0x41, 0x00, 0x42, 0x00, 0x2d, 0x00, 0x53, 0x00, 0x4d,
	0x00, 0x42, 0x00, 0x2d, 0x00, 0x54, 0x00, 0x01, 0x00, 0x12, 0x00, 0x4c,
	0x00, 0x41, 0x00, 0x42, 0x00, 0x2d, 0x00, 0x53, 0x00, 0x4d, 0x00, 0x42,
	0x00, 0x2d, 0x00, 0x54, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04,
	0x00, 0x76, 0x00, 0x6d, 0x00, 0x07, 0x00, 0x08, 0x00, 0x44, 0xde, 0xd0,
	0x85, 0xb4, 0x84, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x00};
static const unsigned int samba_session_setup_len = 249;
static const unsigned char samba_negotiate[] = {
	0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0x03, 0x00, 0x11, 0x03, 0x01, 0x00,
	0x6c, 0x61, 0x62, 0x2d, 0x73, 0x6d, 0x62, 0x2d, 0x74, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00,
	0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x54, 0x3e, 0xc5, 0x85,
	0xb4, 0x84, 0xdd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x4a, 0x00, 0xd0, 0x00, 0x00, 0x00, 0x60, 0x48, 0x06, 0x06,
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x3e, 0x30, 0x3c, 0xa0, 0x0e,
	0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02,
	0x02, 0x0a, 0xa3, 0x2a, 0x30, 0x28, 0xa0, 0x26, 0x1b, 0x24, 0x6e, 0x6f,
	0x74, 0x5f, 0x64, 0x65, 0x66, 0x69, 0x6e, 0x65, 0x64, 0x5f, 0x69, 0x6e,
	0x5f, 0x52, 0x46, 0x43, 0x34, 0x31, 0x37, 0x38, 0x40, 0x70, 0x6c, 0x65,
	0x61, 0x73, 0x65, 0x5f, 0x69, 0x67, 0x6e, 0x6f, 0x72, 0x65, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 0xec, 0x01, 0xad, 0x67, 0xfb, 0xad,
	0x1d, 0xf2, 0x16, 0x3d, 0xff, 0x1f, 0xf2, 0xdb, 0xe9, 0x89, 0x62, 0xe1,
	0xa7, 0xb5, 0x5a, 0xa0, 0x37, 0x9b, 0x5b, 0x3d, 0xc8, 0x16, 0x07, 0x3b,
	0x88, 0x4b};
static const unsigned int samba_negotiate_len = 254;

/*
 * CHALLENGE_MESSAGEs sent by real Windows hosts, with DNS names (the
 * [MS-NLMP] examples above carry none). Test data only, each as published:
 *
 * win2022_member: WinRm.NET (github.com/petrsnd/WinRm.NET, MIT licence,
 * Copyright (c) 2025 Cody Batt), Test/WinRmTests/NtlmTests.cs,
 * CanParseChallenge, a base64 challenge from a WinRM server: version 10.0
 * build 20348 (Windows Server 2022), member of the AD domain DANVMCLOUD /
 * dan.vmcloud, forest dan.vmcloud, computer OP-AGENT-2.
 *
 * win2008r2_standalone: rubyntlm (github.com/WinRb/rubyntlm, MIT licence),
 * spec/lib/net/ntlm/message/type2_spec.rb, type2_packet, from a Vagrant
 * Windows Server 2008 R2 box: version 6.1 build 7601, workgroup host
 * VAGRANT-2008R2 (NetBIOS domain = computer name, DNS names without a
 * dot), no forest.
 *
 * ephox_member: Apache Commons HttpClient 2.0/3.0 (Apache License 2.0),
 * src/test/org/apache/commons/httpclient/TestAuthenticator.java,
 * testNTLMAuthenticationResponse2 (2004), an IIS server of the
 * INTRAEPHOX / intraephox.ephox.com domain: OEM target name, no Version
 * field (NEGOTIATE_VERSION not set, pre-XP-SP2 Windows), no forest.
 */
static const uint8_t win2022_member[] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x14, 0x00, 0x38, 0x00, 0x00, 0x00, 0x35, 0x82, 0x89, 0xe2,
	0xa7, 0xc1, 0x5c, 0x5d, 0x97, 0x33, 0x5a, 0x7c, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xa4, 0x00, 0xa4, 0x00, 0x4c, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x7c, 0x4f, 0x00, 0x00, 0x00, 0x0f, 0x44, 0x00, 0x41, 0x00,
	0x4e, 0x00, 0x56, 0x00, 0x4d, 0x00, 0x43, 0x00, 0x4c, 0x00, 0x4f, 0x00,
	0x55, 0x00, 0x44, 0x00, 0x02, 0x00, 0x14, 0x00, 0x44, 0x00, 0x41, 0x00,
	0x4e, 0x00, 0x56, 0x00, 0x4d, 0x00, 0x43, 0x00, 0x4c, 0x00, 0x4f, 0x00,
	0x55, 0x00, 0x44, 0x00, 0x01, 0x00, 0x14, 0x00, 0x4f, 0x00, 0x50, 0x00,
	0x2d, 0x00, 0x41, 0x00, 0x47, 0x00, 0x45, 0x00, 0x4e, 0x00, 0x54, 0x00,
	0x2d, 0x00, 0x32, 0x00, 0x04, 0x00, 0x16, 0x00, 0x64, 0x00, 0x61, 0x00,
	0x6e, 0x00, 0x2e, 0x00, 0x76, 0x00, 0x6d, 0x00, 0x63, 0x00, 0x6c, 0x00,
	0x6f, 0x00, 0x75, 0x00, 0x64, 0x00, 0x03, 0x00, 0x2c, 0x00, 0x6f, 0x00,
	0x70, 0x00, 0x2d, 0x00, 0x61, 0x00, 0x67, 0x00, 0x65, 0x00, 0x6e, 0x00,
	0x74, 0x00, 0x2d, 0x00, 0x32, 0x00, 0x2e, 0x00, 0x64, 0x00, 0x61, 0x00,
	0x6e, 0x00, 0x2e, 0x00, 0x76, 0x00, 0x6d, 0x00, 0x63, 0x00, 0x6c, 0x00,
	0x6f, 0x00, 0x75, 0x00, 0x64, 0x00, 0x05, 0x00, 0x16, 0x00, 0x64, 0x00,
	0x61, 0x00, 0x6e, 0x00, 0x2e, 0x00, 0x76, 0x00, 0x6d, 0x00, 0x63, 0x00,
	0x6c, 0x00, 0x6f, 0x00, 0x75, 0x00, 0x64, 0x00, 0x07, 0x00, 0x08, 0x00,
	0x04, 0x24, 0xa3, 0xee, 0xd1, 0xd0, 0xdb, 0x01, 0x00, 0x00, 0x00, 0x00};

static const uint8_t win2008r2_standalone[] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x1c, 0x00, 0x1c, 0x00, 0x38, 0x00, 0x00, 0x00, 0x05, 0x82, 0x8a, 0x02,
	0x27, 0xe5, 0x00, 0xd7, 0xff, 0xfe, 0x64, 0xce, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x90, 0x00, 0x90, 0x00, 0x54, 0x00, 0x00, 0x00,
	0x06, 0x01, 0xb1, 0x1d, 0x00, 0x00, 0x00, 0x0f, 0x56, 0x00, 0x41, 0x00,
	0x47, 0x00, 0x52, 0x00, 0x41, 0x00, 0x4e, 0x00, 0x54, 0x00, 0x2d, 0x00,
	0x32, 0x00, 0x30, 0x00, 0x30, 0x00, 0x38, 0x00, 0x52, 0x00, 0x32, 0x00,
	0x02, 0x00, 0x1c, 0x00, 0x56, 0x00, 0x41, 0x00, 0x47, 0x00, 0x52, 0x00,
	0x41, 0x00, 0x4e, 0x00, 0x54, 0x00, 0x2d, 0x00, 0x32, 0x00, 0x30, 0x00,
	0x30, 0x00, 0x38, 0x00, 0x52, 0x00, 0x32, 0x00, 0x01, 0x00, 0x1c, 0x00,
	0x56, 0x00, 0x41, 0x00, 0x47, 0x00, 0x52, 0x00, 0x41, 0x00, 0x4e, 0x00,
	0x54, 0x00, 0x2d, 0x00, 0x32, 0x00, 0x30, 0x00, 0x30, 0x00, 0x38, 0x00,
	0x52, 0x00, 0x32, 0x00, 0x04, 0x00, 0x1c, 0x00, 0x76, 0x00, 0x61, 0x00,
	0x67, 0x00, 0x72, 0x00, 0x61, 0x00, 0x6e, 0x00, 0x74, 0x00, 0x2d, 0x00,
	0x32, 0x00, 0x30, 0x00, 0x30, 0x00, 0x38, 0x00, 0x52, 0x00, 0x32, 0x00,
	0x03, 0x00, 0x1c, 0x00, 0x76, 0x00, 0x61, 0x00, 0x67, 0x00, 0x72, 0x00,
	0x61, 0x00, 0x6e, 0x00, 0x74, 0x00, 0x2d, 0x00, 0x32, 0x00, 0x30, 0x00,
	0x30, 0x00, 0x38, 0x00, 0x52, 0x00, 0x32, 0x00, 0x07, 0x00, 0x08, 0x00,
	0x64, 0x13, 0x1d, 0x14, 0x74, 0x27, 0xce, 0x01, 0x00, 0x00, 0x00, 0x00};

static const uint8_t ephox_member[] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x0a, 0x00, 0x30, 0x00, 0x00, 0x00, 0x06, 0x82, 0x81, 0x00,
	0x3d, 0xce, 0x24, 0x3f, 0x82, 0xed, 0x09, 0x5f, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x9e, 0x00, 0x9e, 0x00, 0x3a, 0x00, 0x00, 0x00,
	0x49, 0x4e, 0x54, 0x52, 0x41, 0x45, 0x50, 0x48, 0x4f, 0x58, 0x02, 0x00,
	0x14, 0x00, 0x49, 0x00, 0x4e, 0x00, 0x54, 0x00, 0x52, 0x00, 0x41, 0x00,
	0x45, 0x00, 0x50, 0x00, 0x48, 0x00, 0x4f, 0x00, 0x58, 0x00, 0x01, 0x00,
	0x12, 0x00, 0x42, 0x00, 0x4f, 0x00, 0x41, 0x00, 0x52, 0x00, 0x44, 0x00,
	0x52, 0x00, 0x4f, 0x00, 0x4f, 0x00, 0x4d, 0x00, 0x04, 0x00, 0x28, 0x00,
	0x69, 0x00, 0x6e, 0x00, 0x74, 0x00, 0x72, 0x00, 0x61, 0x00, 0x65, 0x00,
	0x70, 0x00, 0x68, 0x00, 0x6f, 0x00, 0x78, 0x00, 0x2e, 0x00, 0x65, 0x00,
	0x70, 0x00, 0x68, 0x00, 0x6f, 0x00, 0x78, 0x00, 0x2e, 0x00, 0x63, 0x00,
	0x6f, 0x00, 0x6d, 0x00, 0x03, 0x00, 0x3c, 0x00, 0x42, 0x00, 0x6f, 0x00,
	0x61, 0x00, 0x72, 0x00, 0x64, 0x00, 0x72, 0x00, 0x6f, 0x00, 0x6f, 0x00,
	0x6d, 0x00, 0x2e, 0x00, 0x69, 0x00, 0x6e, 0x00, 0x74, 0x00, 0x72, 0x00,
	0x61, 0x00, 0x65, 0x00, 0x70, 0x00, 0x68, 0x00, 0x6f, 0x00, 0x78, 0x00,
	0x2e, 0x00, 0x65, 0x00, 0x70, 0x00, 0x68, 0x00, 0x6f, 0x00, 0x78, 0x00,
	0x2e, 0x00, 0x63, 0x00, 0x6f, 0x00, 0x6d, 0x00, 0x00, 0x00, 0x00, 0x00};

static void test_ntlm_spec_v2(void **state)
{
	struct ntlm_info t;
	char why[256], os[96];
	struct smb_result r;
	json_t *rep, *sys;

	(void)state;
	assert_int_equal(ntlm_challenge_parse(nlmp_v2_challenge,
					      sizeof(nlmp_v2_challenge), &t,
					      why, sizeof(why)),
			 0);
	assert_string_equal(t.target_name, "Server");
	assert_string_equal(t.nb_domain, "Domain");
	assert_string_equal(t.nb_computer, "Server");
	assert_string_equal(t.dns_computer, "");
	assert_true(t.has_version);
	assert_int_equal(t.major, 6);
	assert_int_equal(t.minor, 0);
	assert_int_equal(t.build, 6000);
	assert_int_equal(ntlm_windows_name(t.build, os, sizeof(os)), 0);
	assert_string_equal(os, "Windows Vista");

	/* as a report: a Windows host named Server in domain Domain */
	memset(&r, 0, sizeof(r));
	r.smb1 = -1;
	r.ntlm_ok = 1;
	r.ntlm = t;
	rep = smb_result_report(&r);
	sys = json_object_get(rep, "sys");
	assert_string_equal(json_string_value(json_object_get(sys, "hostname")),
			    "server");
	assert_string_equal(
		json_string_value(json_object_get(sys, "os_family")),
		"Windows");
	assert_string_equal(json_string_value(json_object_get(sys, "os_name")),
			    "Windows Vista");
	assert_string_equal(
		json_string_value(json_object_get(sys, "os_version")),
		"6.0.6000");
	assert_string_equal(
		json_string_value(json_object_get(sys, "windows_domain_short")),
		"Domain");
	assert_string_equal(json_string_value(json_object_get(sys, "type")),
			    "computer");
	assert_null(json_object_get(sys, "fqdn"));
	json_decref(rep);
}

static void test_ntlm_spec_v1(void **state)
{
	struct ntlm_info t;
	char why[256];

	(void)state;
	assert_int_equal(ntlm_challenge_parse(nlmp_v1_challenge,
					      sizeof(nlmp_v1_challenge), &t,
					      why, sizeof(why)),
			 0);
	assert_string_equal(t.target_name, "Server");
	assert_string_equal(t.nb_computer, "");
	assert_true(t.has_version);
	assert_int_equal(t.build, 6000);
}

/* Samba: names its own, version 6.1 build 0 - not a Windows release. */
static void test_smb_samba_bytes(void **state)
{
	uint16_t dialect = 0;
	int signing = 0;
	struct smb_result r;
	char why[256];
	json_t *rep, *sys;

	(void)state;
	assert_int_equal(smb2_negotiate_parse(samba_negotiate,
					      samba_negotiate_len, &dialect,
					      &signing, why, sizeof(why)),
			 0);
	assert_int_equal(dialect, 0x0311);
	assert_int_equal(signing, 1);
	memset(&r, 0, sizeof(r));
	assert_int_equal(smb2_session_setup_parse(samba_session_setup,
						  samba_session_setup_len,
						  &r.ntlm, why, sizeof(why)),
			 0);
	assert_string_equal(r.ntlm.nb_computer, "LAB-SMB-T");
	assert_string_equal(r.ntlm.nb_domain, "LAB-SMB-T");
	assert_string_equal(r.ntlm.dns_computer, "vm");
	assert_int_equal(r.ntlm.major, 6);
	assert_int_equal(r.ntlm.minor, 1);
	assert_int_equal(r.ntlm.build, 0);
	assert_true(r.ntlm.timestamp != 0);
	r.ntlm_ok = 1;
	r.smb1 = 0;
	r.dialect = dialect;
	r.signing_required = signing;
	rep = smb_result_report(&r);
	sys = json_object_get(rep, "sys");
	assert_string_equal(json_string_value(json_object_get(sys, "hostname")),
			    "vm");
	assert_string_equal(
		json_string_value(json_object_get(sys, "netbios_name")),
		"LAB-SMB-T");
	/* build 0: no Windows version, no Windows type, no domain */
	assert_null(json_object_get(sys, "os_name"));
	assert_null(json_object_get(sys, "os_family"));
	assert_null(json_object_get(sys, "windows_domain_short"));
	assert_string_equal(
		json_string_value(json_object_get(sys, "ntlm_os_version")),
		"6.1.0");
	assert_string_equal(
		json_string_value(json_object_get(sys, "smb_dialect")),
		"3.1.1");
	assert_string_equal(
		json_string_value(json_object_get(sys, "smb_signing")),
		"required");
	assert_string_equal(json_string_value(json_object_get(sys, "smb1")),
			    "disabled");
	json_decref(rep);
}

static void test_windows_builds(void **state)
{
	char os[96];

	(void)state;
	assert_int_equal(ntlm_windows_name(17763, os, sizeof(os)), 0);
	assert_string_equal(os, "Windows 10 1809 / Server 2019");
	assert_int_equal(ntlm_windows_name(20348, os, sizeof(os)), 0);
	assert_string_equal(os, "Windows Server 2022");
	assert_int_equal(ntlm_windows_name(0, os, sizeof(os)), -1);
	assert_int_equal(ntlm_windows_name(12345, os, sizeof(os)), -1);
}

/* msg (n bytes) with byte `at` set to v: refused, the message saying
 * want. */
static void ntlm_lie(const uint8_t *msg, size_t n, size_t at, uint8_t v,
		     const char *want)
{
	uint8_t *m = malloc(n);
	struct ntlm_info t;
	char why[256];

	assert_non_null(m);
	memcpy(m, msg, n);
	m[at] = v;
	assert_int_equal(ntlm_challenge_parse(m, n, &t, why, sizeof(why)), -1);
	if (!strstr(why, want))
		fail_msg("'%s' does not say '%s'", why, want);
	free(m);
}

/* msg received cut anywhere (each copy exact-sized for ASan): refused with
 * a message, or parsed as far as it goes, never a read outside. */
static void ntlm_cut_everywhere(const uint8_t *msg, size_t len)
{
	struct ntlm_info t;
	char why[256];
	size_t n;

	for (n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1);

		assert_non_null(cut);
		memcpy(cut, msg, n);
		why[0] = '\0';
		if (ntlm_challenge_parse(cut, n, &t, why, sizeof(why)) < 0)
			assert_true(why[0] != '\0');
		free(cut);
	}
}

/* Lengths that lie: each refused with a message, nothing read outside. */
static void test_ntlm_lying_lengths(void **state)
{
	const uint8_t *v2 = nlmp_v2_challenge;
	size_t n = sizeof(nlmp_v2_challenge);
	struct ntlm_info t;
	char why[256];

	(void)state;
	/* TargetInfo said to be 0x2400 bytes */
	ntlm_lie(v2, n, 41, 0x24, "TargetInfo");
	/* TargetName at offset 0xff000038 */
	ntlm_lie(v2, n, 19, 0xff, "TargetName");
	/* an AV pair (MsvAvNbDomainName at 0x44) longer than target info */
	ntlm_lie(v2, n, 0x46, 0xf0, "AV pair");
	ntlm_cut_everywhere(v2, n);
	/* no NTLMSSP at all */
	assert_int_equal(ntlm_challenge_find((const uint8_t *)"garbage", 7, &t,
					     why, sizeof(why)),
			 -1);
}

/* What netcensus must read from each real message, and report from it
 * alone (no NetBIOS, no SMB): NULL is "absent from the report". */
struct ntlm_case {
	const char *name;
	const uint8_t *msg;
	size_t len;
	const char *target, *nb_domain, *nb_computer;
	const char *dns_domain, *dns_computer, *dns_tree;
	unsigned build; /* 0: no Version field */
	const char *hostname, *fqdn, *domain, *domain_short, *forest;
	const char *os_name, *os_version;
};

static const struct ntlm_case ntlm_cases[] = {
	/* a domain member: every DNS name and the forest */
	{"Server 2022 member", win2022_member, sizeof(win2022_member),
	 "DANVMCLOUD", "DANVMCLOUD", "OP-AGENT-2", "dan.vmcloud",
	 "op-agent-2.dan.vmcloud", "dan.vmcloud", 20348, "op-agent-2",
	 "op-agent-2.dan.vmcloud", "dan.vmcloud", "DANVMCLOUD", "dan.vmcloud",
	 "Windows Server 2022", "10.0.20348"},
	/* a workgroup server: no domain is claimed, and a DNS computer name
	 * without a dot is no fqdn */
	{"Server 2008 R2 standalone", win2008r2_standalone,
	 sizeof(win2008r2_standalone), "VAGRANT-2008R2", "VAGRANT-2008R2",
	 "VAGRANT-2008R2", "vagrant-2008R2", "vagrant-2008R2", "", 7601,
	 "vagrant-2008r2", NULL, NULL, NULL, NULL,
	 "Windows 7 SP1 / Server 2008 R2 SP1", "6.1.7601"},
	/* an older member: OEM target name, no Version, so no OS claimed */
	{"IIS member without Version", ephox_member, sizeof(ephox_member),
	 "INTRAEPHOX", "INTRAEPHOX", "BOARDROOM", "intraephox.ephox.com",
	 "Boardroom.intraephox.ephox.com", "", 0, "boardroom",
	 "boardroom.intraephox.ephox.com", "intraephox.ephox.com", "INTRAEPHOX",
	 NULL, NULL, NULL},
};

static void assert_sys(json_t *sys, const char *key, const char *want)
{
	const char *got = json_string_value(json_object_get(sys, key));

	if (!want && got)
		fail_msg("%s: '%s', expected absent", key, got);
	if (want && (!got || strcmp(got, want) != 0))
		fail_msg("%s: '%s', expected '%s'", key, got ? got : "(absent)",
			 want);
}

/* The Version field decides whether a server is called Windows: only the
 * numbers Windows sends ([MS-NLMP] 2.2.2.10: major 5, 6 or 10, minor 0-3,
 * a build) do. impacket's SMB server sends 255.255 build 65535. */
static void test_ntlm_version_not_windows(void **state)
{
	static const struct {
		uint8_t major, minor;
		uint16_t build;
		const char *os_name;
	} cases[] = {
		{255, 255, 65535, NULL},
		{10, 9, 20348, NULL},
		{7, 0, 7601, NULL},
		{6, 1, 0, NULL},
		{6, 1, 7601, "Windows 7 SP1 / Server 2008 R2 SP1"},
		{10, 0, 20348, "Windows Server 2022"},
	};
	struct smb_result r;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *rep, *sys;
		char v[32];

		memset(&r, 0, sizeof(r));
		assert_int_equal(
			smb2_session_setup_parse(samba_session_setup,
						 samba_session_setup_len,
						 &r.ntlm, why, sizeof(why)),
			0);
		r.ntlm_ok = 1;
		r.smb1 = -1;
		r.ntlm.major = cases[i].major;
		r.ntlm.minor = cases[i].minor;
		r.ntlm.build = cases[i].build;
		rep = smb_result_report(&r);
		sys = json_object_get(rep, "sys");
		snprintf(v, sizeof(v), "%u.%u.%u", cases[i].major,
			 cases[i].minor, cases[i].build);
		assert_sys(sys, "ntlm_os_version", v);
		assert_sys(sys, "os_name", cases[i].os_name);
		assert_sys(sys, "os_family",
			   cases[i].os_name ? "Windows" : NULL);
		assert_sys(sys, "type", cases[i].os_name ? "computer" : NULL);
		json_decref(rep);
	}
}

/* Real Windows challenges with DNS names, through the parser and the
 * report (src/probe/smb.c) */
static void test_ntlm_real_windows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ntlm_cases) / sizeof(ntlm_cases[0]); i++) {
		const struct ntlm_case *c = &ntlm_cases[i];
		struct ntlm_info t;
		struct smb_result r;
		char why[256];
		json_t *rep, *sys;

		print_message("%s\n", c->name);
		assert_int_equal(ntlm_challenge_parse(c->msg, c->len, &t, why,
						      sizeof(why)),
				 0);
		assert_string_equal(t.target_name, c->target);
		assert_string_equal(t.nb_domain, c->nb_domain);
		assert_string_equal(t.nb_computer, c->nb_computer);
		assert_string_equal(t.dns_domain, c->dns_domain);
		assert_string_equal(t.dns_computer, c->dns_computer);
		assert_string_equal(t.dns_tree, c->dns_tree);
		assert_int_equal(t.has_version, c->build != 0);
		assert_int_equal(t.build, c->build);
		assert_true(t.timestamp != 0 || c->build == 0);

		memset(&r, 0, sizeof(r));
		r.smb1 = -1;
		r.ntlm_ok = 1;
		r.ntlm = t;
		rep = smb_result_report(&r);
		sys = json_object_get(rep, "sys");
		assert_sys(sys, "netbios_name", c->nb_computer);
		assert_sys(sys, "hostname", c->hostname);
		assert_sys(sys, "fqdn", c->fqdn);
		assert_sys(sys, "domain", c->domain);
		assert_sys(sys, "windows_domain_short", c->domain_short);
		assert_sys(sys, "windows_forest", c->forest);
		assert_sys(sys, "os_family", c->os_name ? "Windows" : NULL);
		assert_sys(sys, "os_name", c->os_name);
		assert_sys(sys, "os_version", c->os_version);
		assert_sys(sys, "ntlm_os_version", c->os_version);
		json_decref(rep);
	}
}

/* The Server 2022 message with one field made to lie: refused with a
 * message naming what is wrong, never a read outside the bytes. Target
 * info: 164 bytes at 76; AV pairs at 0 (NbDomain), 24 (NbComputer), 48
 * (DnsDomain), 74 (DnsComputer, 44 bytes), 122 (DnsTree, 22 bytes), 148
 * (Timestamp), 160 (EOL). */
static void test_ntlm_win2022_malformed(void **state)
{
	const uint8_t *w = win2022_member;
	size_t n = sizeof(win2022_member);

	(void)state;
	/* MsvAvDnsTreeName says 255 bytes */
	ntlm_lie(w, n, 76 + 122 + 2, 0xff,
		 "AV pair 5 at 122 says 255 bytes, 38 left");
	/* MsvAvDnsComputerName with an odd length (43): not UTF-16 */
	ntlm_lie(w, n, 76 + 74 + 2, 43,
		 "AV pair 3 at 74 has an odd length (43 bytes) for UTF-16");
	/* target info cut before MsvAvEOL (160 bytes instead of 164) */
	ntlm_lie(w, n, 40, 160, "target info ends at 160 without MsvAvEOL");
	/* target info cut inside the EOL pair (162 bytes) */
	ntlm_lie(w, n, 40, 162, "target info ends inside an AV pair at 160");
	/* TargetInfo 4 bytes past the end of the message */
	ntlm_lie(w, n, 44, 76 + 4,
		 "TargetInfo (164 bytes at 80) lies outside the 240-byte "
		 "message");
	ntlm_cut_everywhere(w, n);
}

/* A node status answer as RFC 1002 4.2.18 lays it out: a Windows
 * workstation of domain CORP with a MAC. */
static size_t nb_answer(uint8_t *p, uint16_t txid, unsigned names)
{
	static const struct {
		const char *name;
		uint8_t suffix;
		uint16_t flags;
	} rows[] = {{"WS-0042", 0x00, 0x0400},
		    {"CORP", 0x00, 0x8400},
		    {"WS-0042", 0x20, 0x0400},
		    {"CORP", 0x1c, 0x8400}};
	size_t at = 0, i;
	static const uint8_t mac[6] = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03};

	p[at++] = (uint8_t)(txid >> 8);
	p[at++] = (uint8_t)txid;
	p[at++] = 0x84;
	p[at++] = 0x00;
	memcpy(p + at, "\0\0\0\1\0\0\0\0", 8);
	at += 8;
	p[at++] = 32;
	p[at++] = 'C';
	p[at++] = 'K';
	memset(p + at, 'A', 30);
	at += 30;
	p[at++] = 0;
	memcpy(p + at, "\0\x21\0\1\0\0\0\0", 8);
	at += 8;
	p[at++] = 0;
	p[at++] = (uint8_t)(1 + 4 * 18 + 46);
	p[at++] = (uint8_t)names;
	for (i = 0; i < 4; i++) {
		memset(p + at, ' ', 15);
		memcpy(p + at, rows[i].name, strlen(rows[i].name));
		p[at + 15] = rows[i].suffix;
		p[at + 16] = (uint8_t)(rows[i].flags >> 8);
		p[at + 17] = (uint8_t)rows[i].flags;
		at += 18;
	}
	memset(p + at, 0, 46);
	memcpy(p + at, mac, 6);
	return at + 46;
}

static void test_nbstat(void **state)
{
	uint8_t req[NBSTAT_REQUEST_LEN], ans[512];
	struct nbstat_info nb;
	char why[256];
	size_t n, k;

	(void)state;
	nbstat_request_build(0x1234, req);
	assert_int_equal(req[0], 0x12);
	assert_int_equal(req[47], 0x21); /* NBSTAT */
	n = nb_answer(ans, 0x1234, 4);
	assert_int_equal(nbstat_parse(ans, n, 0x1234, &nb, why, sizeof(why)),
			 0);
	assert_string_equal(nb.computer, "WS-0042");
	assert_string_equal(nb.workgroup, "CORP");
	assert_true(nb.domain_controller);
	assert_string_equal(nb.mac, "00:15:5d:01:02:03");
	assert_int_equal(nb.n_names, 4);
	/* another transaction's answer */
	assert_int_equal(nbstat_parse(ans, n, 0x4321, &nb, why, sizeof(why)),
			 -1);
	/* a name count that lies */
	n = nb_answer(ans, 0x1234, 200);
	assert_int_equal(nbstat_parse(ans, n, 0x1234, &nb, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "200 names"));
	/* cut anywhere */
	n = nb_answer(ans, 0x1234, 4);
	for (k = 0; k < n; k++) {
		uint8_t *cut = malloc(k ? k : 1);

		memcpy(cut, ans, k);
		(void)nbstat_parse(cut, k, 0x1234, &nb, why, sizeof(why));
		free(cut);
	}
}

/* nbstat_send, other work, nbstat_wait: an answer that came meanwhile is
 * read even when the question's deadline has passed (smb_probe_host does
 * the SMB exchanges in between); a silent port ends at the deadline. */
static void test_nbstat_overlapped(void **state)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	uint8_t req[512], ans[512];
	struct nbstat_req q;
	struct nbstat_info nb;
	char why[256];
	ssize_t n;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	assert_int_equal(nbstat_send("127.0.0.1", ntohs(sin.sin_port),
				     netio_now_ms() + 100, &q, why,
				     sizeof(why)),
			 0);
	n = recvfrom(fd, req, sizeof(req), 0, (struct sockaddr *)&sin, &len);
	assert_int_equal(n, NBSTAT_REQUEST_LEN);
	n = (ssize_t)nb_answer(ans, (uint16_t)(req[0] << 8 | req[1]), 4);
	assert_int_equal(
		sendto(fd, ans, (size_t)n, 0, (struct sockaddr *)&sin, len), n);
	usleep(200000); /* the other work: past the deadline */
	assert_int_equal(nbstat_wait(&q, &nb, why, sizeof(why)), 0);
	assert_string_equal(nb.computer, "WS-0042");
	assert_string_equal(nb.workgroup, "CORP");
	assert_int_equal(q.fd, -1);

	/* nobody answers: -1 at the deadline, said so */
	len = sizeof(sin);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	assert_int_equal(nbstat_send("127.0.0.1", ntohs(sin.sin_port),
				     netio_now_ms() + 100, &q, why,
				     sizeof(why)),
			 0);
	assert_int_equal(nbstat_wait(&q, &nb, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no node status answer"));
	assert_string_equal(nb.computer, "");
	close(fd);
}

/* ---- hostile servers on loopback ---- */

enum hostile {
	H_SILENT,
	H_GARBAGE,
	H_HUGE,
	H_LYING_NTLM,
	H_RDP_GARBAGE, /* an HTTP answer to the X.224 request */
	H_RDP_NOT_TLS  /* picks CredSSP, then no TLS */
};

/* An X.224 Connection Confirm with RDP_NEG_RSP selecting CredSSP, laid
 * out as [MS-RDPBCGR] 2.2.1.2 says (the shape FreeRDP 2.11's server
 * sends). */
static const uint8_t x224_confirm_hybrid[] = {
	0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
	0x00, 0x02, 0x1f, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00};

struct server {
	int lfd;
	uint16_t port;
	enum hostile mode;
	pthread_t th;
};

static int recv_msg(int fd, uint8_t *buf, size_t cap)
{
	uint8_t h[4];
	size_t len;

	if (recv(fd, h, 4, MSG_WAITALL) != 4)
		return -1;
	len = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
	if (len > cap || recv(fd, buf, len, MSG_WAITALL) != (ssize_t)len)
		return -1;
	return (int)len;
}

static void send_msg(int fd, const uint8_t *m, size_t n)
{
	uint8_t h[4] = {0, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

	if (send(fd, h, 4, MSG_NOSIGNAL) != 4 ||
	    send(fd, m, n, MSG_NOSIGNAL) != (ssize_t)n)
		return;
}

/* An SMB2 answer header for command cmd with status st. */
static void smb2_hdr(uint8_t *p, uint16_t cmd, uint32_t st)
{
	memset(p, 0, 64);
	memcpy(p, "\xfeSMB", 4);
	p[4] = 64;
	p[8] = (uint8_t)st;
	p[9] = (uint8_t)(st >> 8);
	p[10] = (uint8_t)(st >> 16);
	p[11] = (uint8_t)(st >> 24);
	p[12] = (uint8_t)cmd;
	p[16] = 1; /* response */
}

/* The RDP peers: read the 19-byte X.224 request, answer badly. */
static void hostile_rdp(struct server *s, int fd)
{
	uint8_t req[19];
	struct pollfd pf = {fd, POLLIN, 0};

	if (recv(fd, req, sizeof(req), MSG_WAITALL) != sizeof(req))
		return;
	if (s->mode == H_RDP_GARBAGE) {
		(void)send(fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28,
			   MSG_NOSIGNAL);
		return;
	}
	(void)send(fd, x224_confirm_hybrid, sizeof(x224_confirm_hybrid),
		   MSG_NOSIGNAL);
	(void)poll(&pf, 1, 20000); /* the ClientHello */
	(void)send(fd, "not a TLS record at all, sorry", 30, MSG_NOSIGNAL);
}

static void hostile_serve(struct server *s, int fd)
{
	uint8_t buf[4096], out[512];
	int n;

	if (s->mode == H_RDP_GARBAGE || s->mode == H_RDP_NOT_TLS) {
		hostile_rdp(s, fd);
		return;
	}
	n = recv_msg(fd, buf, sizeof(buf));
	if (n < 0)
		return;
	switch (s->mode) {
	case H_RDP_GARBAGE:
	case H_RDP_NOT_TLS:
		return;
	case H_SILENT: {
		struct pollfd pf = {fd, POLLIN, 0};

		(void)poll(&pf, 1, 20000); /* until the client gives up */
		return;
	}
	case H_GARBAGE:
		send_msg(fd,
			 (const uint8_t *)"\xfeSMB garbage, not a negotiate",
			 30);
		return;
	case H_HUGE: {
		static const uint8_t h[4] = {0, 0xff, 0xff, 0xff};

		(void)send(fd, h, 4, MSG_NOSIGNAL);
		return;
	}
	case H_LYING_NTLM:
		if (buf[0] != 0xfe) /* the SMB1 question: refuse it */
			return;
		smb2_hdr(out, 0, 0);
		memset(out + 64, 0, 64);
		out[64] = 65;
		out[68] = 0x11;
		out[69] = 0x03;
		send_msg(fd, out, 128);
		if (recv_msg(fd, buf, sizeof(buf)) < 0)
			return;
		smb2_hdr(out, 1, 0xc0000016u);
		memset(out + 64, 0, 8);
		out[64] = 9;
		out[68] = 72; /* security buffer at 72 */
		out[70] = (uint8_t)sizeof(nlmp_v2_challenge);
		memcpy(out + 72, nlmp_v2_challenge, sizeof(nlmp_v2_challenge));
		out[72 + 41] = 0x7f; /* TargetInfo: 0x7f24 bytes */
		send_msg(fd, out, 72 + sizeof(nlmp_v2_challenge));
		return;
	}
}

static void *hostile_main(void *arg)
{
	struct server *s = arg;
	int k;

	for (k = 0; k < 2; k++) { /* the SMB2 and the SMB1 connection */
		int fd = accept(s->lfd, NULL, NULL);

		if (fd < 0)
			break;
		hostile_serve(s, fd);
		close(fd);
	}
	return NULL;
}

static void hostile_start(struct server *s, enum hostile mode)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof(a);

	s->mode = mode;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	getsockname(s->lfd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->th, NULL, hostile_main, s);
}

static void hostile_stop(struct server *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	close(s->lfd);
	pthread_join(s->th, NULL);
}

/* A UDP port on loopback that takes node status requests and never
 * answers. */
static int udp_silent(uint16_t *port)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

static void probe_hostile(enum hostile mode, struct smb_result *r)
{
	struct server s;
	struct smb_probe_opts o = {0};
	uint16_t uport;
	int ufd = udp_silent(&uport);

	hostile_start(&s, mode);
	o.host = "127.0.0.1";
	o.open_445 = 1;
	o.port_445 = s.port;
	o.port_137 = uport;
	o.timeout_ms = 1500;
	(void)smb_probe_host(&o, r);
	hostile_stop(&s);
	close(ufd);
}

static void test_smb_hostile(void **state)
{
	struct smb_result r;

	(void)state;
	/* accepts and never answers (for 20 s): the job ends at its
	 * 1.5 s deadline, however busy the machine (10 s of slack) */
	probe_hostile(H_SILENT, &r);
	assert_true(r.elapsed_ms >= 1400 && r.elapsed_ms < 10000);
	assert_false(r.nb_ok);
	assert_non_null(strstr(r.nb_error, "no node status answer"));
	assert_non_null(strstr(r.smb_error, "no answer in time"));
	assert_int_equal(r.dialect, 0);
	assert_int_equal(r.smb1, -1);

	/* a malformed negotiate answer */
	probe_hostile(H_GARBAGE, &r);
	assert_int_equal(r.dialect, 0);
	assert_non_null(strstr(r.smb_error, "not an SMB2 answer"));
	assert_true(r.elapsed_ms < 10000);

	/* a length of 16 MiB announced */
	probe_hostile(H_HUGE, &r);
	assert_non_null(strstr(r.smb_error, "more than 65536"));

	/* a valid negotiate, then a challenge whose TargetInfo lies */
	probe_hostile(H_LYING_NTLM, &r);
	assert_int_equal(r.dialect, 0x0311);
	assert_false(r.ntlm_ok);
	assert_non_null(strstr(r.smb_error, "TargetInfo"));
	assert_int_equal(r.smb1, 0); /* closed on the SMB1 question */
}

/* A DER tag and length for len content bytes at p; the bytes written. */
static size_t der_put(uint8_t *p, uint8_t tag, size_t len)
{
	p[0] = tag;
	if (len < 0x80) {
		p[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x100) {
		p[1] = 0x81;
		p[2] = (uint8_t)len;
		return 3;
	}
	p[1] = 0x82;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return 4;
}

/* The size der_put() gives a header of len content bytes. */
static size_t der_hdr(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
}

/* tok (n bytes) as the innermost OCTET STRING under `depth` constructed
 * tags (outermost first), each `pre` bytes preceding its child; the
 * bytes written at p. */
static size_t der_wrap(uint8_t *p, const uint8_t *tags, size_t depth,
		       const uint8_t *const *pre, const size_t *pre_len,
		       const uint8_t *tok, size_t n)
{
	size_t len[8], at = 0, i;

	len[depth] = n;
	for (i = depth; i-- > 0;)
		len[i] = pre_len[i] + der_hdr(len[i + 1]) + len[i + 1];
	for (i = 0; i < depth; i++) {
		at += der_put(p + at, tags[i], len[i]);
		if (pre_len[i])
			memcpy(p + at, pre[i], pre_len[i]);
		at += pre_len[i];
	}
	at += der_put(p + at, 0x04, n);
	memcpy(p + at, tok, n);
	return at + n;
}

/* SMB2 SESSION_SETUP's answer carrying tok the way Windows and Samba
 * send it: STATUS_MORE_PROCESSING_REQUIRED, and a SPNEGO negTokenResp
 * ([RFC 4178] 4.2.2: negState accept-incomplete, supportedMech NTLMSSP,
 * responseToken) as the security buffer, the layout of Samba's answer in
 * test_smb_samba_bytes; the bytes written at p. */
static size_t smb2_challenge_answer(uint8_t *p, const uint8_t *tok, size_t n)
{
	static const uint8_t state_mech[] = {
		0xa0, 0x03, 0x0a, 0x01, 0x01, 0xa1, 0x0c, 0x06, 0x0a, 0x2b,
		0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
	static const uint8_t tags[] = {0xa1, 0x30, 0xa2};
	const uint8_t *pre[] = {NULL, state_mech, NULL};
	const size_t pre_len[] = {0, sizeof(state_mech), 0};
	size_t len;

	smb2_hdr(p, 1, 0xc0000016u);
	memset(p + 64, 0, 8);
	p[64] = 9;
	p[68] = 72; /* security buffer at 72 */
	len = der_wrap(p + 72, tags, 3, pre, pre_len, tok, n);
	p[70] = (uint8_t)len;
	p[71] = (uint8_t)(len >> 8);
	return 72 + len;
}

/* The server's TSRequest of CredSSP ([MS-CSSP] 2.2.1) carrying tok:
 * version 6, negoTokens [1] SEQUENCE OF SEQUENCE { negoToken [0] OCTET
 * STRING }; the bytes written at p. */
static size_t tsrequest_wrap(uint8_t *p, const uint8_t *tok, size_t n)
{
	static const uint8_t version[] = {0xa0, 0x03, 0x02, 0x01, 0x06};
	static const uint8_t tags[] = {0x30, 0xa1, 0x30, 0x30, 0xa0};
	const uint8_t *pre[] = {version, NULL, NULL, NULL, NULL};
	const size_t pre_len[] = {sizeof(version), 0, 0, 0, 0};

	return der_wrap(p, tags, 5, pre, pre_len, tok, n);
}

/* The Server 2022 challenge as SMB2 and as RDP's CredSSP carry it: the
 * wrappers are built here from the specifications (no capture of a
 * Windows host's SMB2 or CredSSP answer was found published), the
 * challenge inside is Windows' own. Through the parsers the SMB and RDP
 * jobs use, to the same report. */
static void test_windows_challenge_wrapped(void **state)
{
	uint8_t m[1024];
	struct smb_result r;
	char why[256];
	size_t n, k;
	json_t *rep;

	(void)state;
	for (k = 0; k < 2; k++) {
		memset(&r, 0, sizeof(r));
		r.smb1 = -1;
		if (k == 0) {
			n = smb2_challenge_answer(m, win2022_member,
						  sizeof(win2022_member));
			assert_int_equal(smb2_session_setup_parse(m, n, &r.ntlm,
								  why,
								  sizeof(why)),
					 0);
		} else {
			/* rdp_credssp() hands the whole TSRequest over */
			n = tsrequest_wrap(m, win2022_member,
					   sizeof(win2022_member));
			assert_int_equal(m[1], 0x82); /* long-form length */
			assert_int_equal(ntlm_challenge_find(m, n, &r.ntlm, why,
							     sizeof(why)),
					 0);
		}
		r.ntlm_ok = 1;
		rep = smb_result_report(&r);
		assert_sys(json_object_get(rep, "sys"), "fqdn",
			   "op-agent-2.dan.vmcloud");
		assert_sys(json_object_get(rep, "sys"), "windows_forest",
			   "dan.vmcloud");
		assert_sys(json_object_get(rep, "sys"), "os_name",
			   "Windows Server 2022");
		json_decref(rep);
	}
}

static void test_rdp_confirm(void **state)
{
	struct rdp_result r;
	char why[256];
	uint8_t m[sizeof(x224_confirm_hybrid)];

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(rdp_confirm_parse(x224_confirm_hybrid,
					   sizeof(x224_confirm_hybrid), &r, why,
					   sizeof(why)),
			 0);
	assert_true(r.negotiated);
	assert_int_equal(r.selected, RDP_PROTOCOL_HYBRID);
	assert_string_equal(rdp_protocol_name(r.selected), "NLA (CredSSP)");
	/* RDP_NEG_FAILURE: SSL_REQUIRED_BY_SERVER */
	memcpy(m, x224_confirm_hybrid, sizeof(m));
	m[11] = 0x03;
	m[15] = 0x01;
	memset(&r, 0, sizeof(r));
	assert_int_equal(rdp_confirm_parse(m, sizeof(m), &r, why, sizeof(why)),
			 0);
	assert_false(r.negotiated);
	assert_int_equal(r.failure, 1);
	/* a TPKT length longer than what came */
	m[3] = 0x40;
	assert_int_equal(rdp_confirm_parse(m, sizeof(m), &r, why, sizeof(why)),
			 -1);
}

static void probe_rdp_hostile(enum hostile mode, struct smb_result *r)
{
	struct server s;
	struct smb_probe_opts o = {0};

	hostile_start(&s, mode);
	o.host = "127.0.0.1";
	o.open_3389 = 1;
	o.port_3389 = s.port;
	o.timeout_ms = 1500;
	(void)smb_probe_host(&o, r);
	hostile_stop(&s);
}

static void test_rdp_hostile(void **state)
{
	struct smb_result r;

	(void)state;
	probe_rdp_hostile(H_RDP_GARBAGE, &r);
	assert_false(r.rdp.answered);
	assert_non_null(strstr(r.rdp.error, "not an X.224 answer"));
	probe_rdp_hostile(H_RDP_NOT_TLS, &r);
	assert_true(r.rdp.answered);
	assert_int_equal(r.rdp.selected, RDP_PROTOCOL_HYBRID);
	assert_false(r.ntlm_ok);
	assert_non_null(strstr(r.rdp.error, "TLS handshake"));
	assert_true(r.elapsed_ms < 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntlm_spec_v2),
		cmocka_unit_test(test_ntlm_spec_v1),
		cmocka_unit_test(test_smb_samba_bytes),
		cmocka_unit_test(test_ntlm_version_not_windows),
		cmocka_unit_test(test_windows_builds),
		cmocka_unit_test(test_ntlm_lying_lengths),
		cmocka_unit_test(test_ntlm_real_windows),
		cmocka_unit_test(test_ntlm_win2022_malformed),
		cmocka_unit_test(test_nbstat),
		cmocka_unit_test(test_nbstat_overlapped),
		cmocka_unit_test(test_smb_hostile),
		cmocka_unit_test(test_rdp_confirm),
		cmocka_unit_test(test_rdp_hostile),
		cmocka_unit_test(test_windows_challenge_wrapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
