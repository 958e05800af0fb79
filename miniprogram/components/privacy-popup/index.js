// 隐私授权弹窗：每个页面放一个 <privacy-popup />，由 services/privacy 在需要时唤起。
const privacy = require('../../services/privacy');

const PURPOSES = {
  getLocation: '位置打卡',
  chooseLocation: '选择位置',
  scanCode: '扫码签到',
};

Component({
  data: {
    visible: false,
    purpose: '相关功能',
    contractName: '《隐私保护指引》',
  },
  lifetimes: {
    attached() {
      this.unsubscribe = privacy.subscribe(({ visible, referrer }) => this.toggle(visible, referrer));
    },
    detached() {
      if (this.unsubscribe) this.unsubscribe();
    },
  },
  methods: {
    toggle(visible, referrer) {
      if (visible === this.data.visible) return;
      this.setData({ visible, purpose: PURPOSES[referrer] || '相关功能' });
      if (visible) {
        privacy.exposed();
        privacy.getSetting().then(({ privacyContractName }) => {
          if (privacyContractName) this.setData({ contractName: privacyContractName });
        });
      }
    },
    openContract() {
      if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
    },
    onAgree() {
      privacy.agree();
    },
    onDisagree() {
      privacy.disagree();
    },
  },
});
