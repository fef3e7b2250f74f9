// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: debugfs knobs and views, under <debugfs>/iotsec_sim/:
 *
 *   allocations          outstanding simulator allocations (read-only)
 *   chipN/timing         0: commands complete at once; 1: modelled times
 *   chipN/timing_pct     scale of the modelled times, 1..1000 (%)
 *   chipN/fault          "<kind> [count=K] [op=0xNN|wake]" or "none"
 *   chipN/counters       "name value" lines; write 0 to reset
 *   chipN/config         the 128 raw config bytes (read-only)
 *   chipN/state          power, TempKey, buffers, locks (read-only)
 *
 * Every handler takes the chip mutex; master_xfer does the same.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "sim.h"

#define SIM_PCT_MAX	1000
#define SIM_WRITE_MAX	64

static struct dentry *sim_root;

static int sim_timing_get(void *data, u64 *val)
{
	struct sim_chip *chip = data;

	mutex_lock(&chip->lock);
	*val = chip->timing;
	mutex_unlock(&chip->lock);
	return 0;
}

static int sim_timing_set(void *data, u64 val)
{
	struct sim_chip *chip = data;

	if (val > 1)
		return -EINVAL;
	mutex_lock(&chip->lock);
	chip->timing = val;
	mutex_unlock(&chip->lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(sim_timing_fops, sim_timing_get, sim_timing_set,
			 "%llu\n");

static int sim_pct_get(void *data, u64 *val)
{
	struct sim_chip *chip = data;

	mutex_lock(&chip->lock);
	*val = chip->timing_pct;
	mutex_unlock(&chip->lock);
	return 0;
}

static int sim_pct_set(void *data, u64 val)
{
	struct sim_chip *chip = data;

	if (val < 1 || val > SIM_PCT_MAX)
		return -EINVAL;
	mutex_lock(&chip->lock);
	chip->timing_pct = val;
	mutex_unlock(&chip->lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(sim_pct_fops, sim_pct_get, sim_pct_set, "%llu\n");

/* Copies a short user write into buf as a C string */
static int sim_user_string(char *buf, const char __user *ubuf, size_t len)
{
	if (len >= SIM_WRITE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	return 0;
}

static struct sim_chip *sim_seq_chip(struct file *file)
{
	return ((struct seq_file *)file->private_data)->private;
}

static int sim_fault_show(struct seq_file *m, void *v)
{
	struct sim_chip *chip = m->private;
	char buf[SIM_WRITE_MAX];

	mutex_lock(&chip->lock);
	sim_fault_format(&chip->fault, buf, sizeof(buf));
	mutex_unlock(&chip->lock);
	seq_puts(m, buf);
	return 0;
}

static ssize_t sim_fault_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct sim_chip *chip = sim_seq_chip(file);
	char buf[SIM_WRITE_MAX];
	struct sim_fault f;
	int ret;

	ret = sim_user_string(buf, ubuf, len);
	if (!ret)
		ret = sim_fault_parse(&f, buf);
	if (ret)
		return ret;
	mutex_lock(&chip->lock);
	chip->fault = f;
	mutex_unlock(&chip->lock);
	return len;
}

static int sim_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, sim_fault_show, inode->i_private);
}

static const struct file_operations sim_fault_fops = {
	.owner = THIS_MODULE,
	.open = sim_fault_open,
	.read = seq_read,
	.write = sim_fault_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int sim_counters_show(struct seq_file *m, void *v)
{
	struct sim_chip *chip = m->private;
	struct sim_counters c;
	unsigned int i;

	mutex_lock(&chip->lock);
	c = chip->cnt;
	mutex_unlock(&chip->lock);
	seq_printf(m, "wakes %llu\nsleeps %llu\nidles %llu\nwatchdogs %llu\n",
		   c.wakes, c.sleeps, c.idles, c.watchdogs);
	seq_printf(m, "eeprom_writes %llu\nfaults_injected %llu\n",
		   c.eeprom_writes, c.faults_injected);
	seq_printf(m, "crc_errors %llu\nseed_updates %llu\n", c.crc_errors,
		   c.seed_updates);
	for (i = 0; i < SIM_NUM_OPS; i++)
		seq_printf(m, "%s %llu\n%s_us %llu\n", sim_op_name(i),
			   c.ops[i], sim_op_name(i), c.op_us[i]);
	return 0;
}

static ssize_t sim_counters_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct sim_chip *chip = sim_seq_chip(file);
	char buf[SIM_WRITE_MAX];
	unsigned int val;
	int ret;

	ret = sim_user_string(buf, ubuf, len);
	if (!ret)
		ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	if (val)
		return -EINVAL;
	mutex_lock(&chip->lock);
	memset(&chip->cnt, 0, sizeof(chip->cnt));
	mutex_unlock(&chip->lock);
	return len;
}

static int sim_counters_open(struct inode *inode, struct file *file)
{
	return single_open(file, sim_counters_show, inode->i_private);
}

static const struct file_operations sim_counters_fops = {
	.owner = THIS_MODULE,
	.open = sim_counters_open,
	.read = seq_read,
	.write = sim_counters_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static ssize_t sim_config_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct sim_chip *chip = file->private_data;
	u8 cfg[ATECC_CONFIG_SIZE];

	mutex_lock(&chip->lock);
	memcpy(cfg, chip->config, sizeof(cfg));
	mutex_unlock(&chip->lock);
	return simple_read_from_buffer(ubuf, len, ppos, cfg, sizeof(cfg));
}

static const struct file_operations sim_config_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = sim_config_read,
	.llseek = default_llseek,
};

static const char * const sim_tk_names[] = {
	[SIM_TK_RANDOM] = "random",
	[SIM_TK_INPUT] = "input",
	[SIM_TK_GENKEY] = "genkey",
	[SIM_TK_ECDH] = "ecdh",
};

static const char *sim_valid(bool valid)
{
	return valid ? "valid" : "invalid";
}

static const char *sim_locked(bool locked)
{
	return locked ? "locked" : "unlocked";
}

static void sim_state_power(struct seq_file *m, struct sim_chip *chip)
{
	ktime_t now = ktime_get();
	bool awake;

	sim_tick(chip, now);
	awake = chip->power == SIM_AWAKE;
	seq_printf(m, "model %s\naddress 0x%02x\npower %s\n",
		   sim_model_name(chip->model), chip->addr,
		   sim_power_name(chip->power));
	seq_printf(m, "busy %d\nwatchdog_ms %lld\n",
		   awake && ktime_before(now, chip->busy_until),
		   awake ? ktime_ms_delta(chip->wdt_at, now) : 0);
}

static void sim_state_volatile(struct seq_file *m, struct sim_chip *chip)
{
	const struct sim_volatile *v = &chip->vol;

	if (v->tk_valid)
		seq_printf(m, "tempkey valid %s\n", sim_tk_names[v->tk_source]);
	else
		seq_puts(m, "tempkey invalid\n");
	seq_printf(m, "msgdigbuf %s\naltkeybuf %s\nsha %s\n",
		   sim_valid(v->md_valid), sim_valid(v->ak_valid),
		   v->sha_active ? "active" : "idle");
}

static int sim_state_show(struct seq_file *m, void *v)
{
	struct sim_chip *chip = m->private;
	unsigned int i, locked = 0;

	mutex_lock(&chip->lock);
	sim_state_power(m, chip);
	sim_state_volatile(m, chip);
	for (i = 0; i < ATECC_NUM_SLOTS; i++)
		if (sim_slot_locked(chip, i))
			locked |= BIT(i);
	seq_printf(m, "config %s\ndata %s\nlocked_slots 0x%04x\n",
		   sim_locked(sim_config_locked(chip)),
		   sim_locked(sim_data_locked(chip)), locked);
	mutex_unlock(&chip->lock);
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(sim_state);

static void sim_debugfs_chip(struct sim_chip *chip)
{
	char name[16];
	struct dentry *d;

	snprintf(name, sizeof(name), "chip%u", chip->index);
	d = debugfs_create_dir(name, sim_root);
	debugfs_create_file_unsafe("timing", 0644, d, chip, &sim_timing_fops);
	debugfs_create_file_unsafe("timing_pct", 0644, d, chip, &sim_pct_fops);
	debugfs_create_file("fault", 0644, d, chip, &sim_fault_fops);
	debugfs_create_file("counters", 0644, d, chip, &sim_counters_fops);
	debugfs_create_file_size("config", 0444, d, chip, &sim_config_fops,
				 ATECC_CONFIG_SIZE);
	debugfs_create_file("state", 0444, d, chip, &sim_state_fops);
	chip->dir = d;
}

void sim_debugfs_init(struct sim_chip *chips, unsigned int n)
{
	unsigned int i;

	sim_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_atomic_t("allocations", 0444, sim_root, &sim_allocs);
	for (i = 0; i < n; i++)
		sim_debugfs_chip(&chips[i]);
}

void sim_debugfs_exit(void)
{
	debugfs_remove_recursive(sim_root);
	sim_root = NULL;
}
